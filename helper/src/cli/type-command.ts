import { KEYBOARD_LAYOUT_NAMES, MAX_TYPED_CHARS, OpenUtmError, type TypeVia } from '@openutm/shared';
import { print, type Command } from './command';
import { withJob } from './follow-job';
import { findVm } from './vm-commands';

// Generous: the helper paces keys at ~20-40 per second, slower on a loaded host.
const MS_PER_CHAR = 200;

// `openutm type VM TEXT` / `openutm type VM -`: for scripts driving installers and logins.
export const TYPE_COMMAND: Command = {
  summary: 'type text into a running VM as keystrokes, in its keyboard layout (`-` reads standard input)',
  usage: '<vm> <text>|- [--serial | --keyboard]',
  options: { serial: { type: 'boolean' }, keyboard: { type: 'boolean' } },
  async run(ctx, { values, positionals, json }) {
    const [ref, given, ...extra] = positionals;
    if (given === undefined) throw new OpenUtmError('BAD_REQUEST', 'say what to type: `openutm type VM "text"`, or `openutm type VM -` to type standard input');
    if (extra.length > 0) throw new OpenUtmError('BAD_REQUEST', 'put the text in quotes: it is one argument');
    if (values.serial === true && values.keyboard === true) throw new OpenUtmError('BAD_REQUEST', 'choose --serial or --keyboard, not both');
    const via: TypeVia = values.serial === true ? 'serial' : values.keyboard === true ? 'keyboard' : 'auto';
    // Standard input is typed as it is, its last line end included (that presses Enter).
    const text = given === '-' ? await ctx.stdin() : given;
    if (text.length === 0) throw new OpenUtmError('BAD_REQUEST', 'there is nothing to type');
    if (text.length > MAX_TYPED_CHARS) throw new OpenUtmError('BAD_REQUEST', `one call types at most ${MAX_TYPED_CHARS} characters; split the text`);
    const api = await ctx.api();
    const vm = await findVm(api, ref);
    // Ctrl-C stops the typing in the guest too, not just this command.
    const result = await withJob(
      api,
      ctx.err,
      'type',
      (job) => api.call('vm.type', { id: vm.config.id, text, via, job }, { timeoutMs: 60_000 + text.length * MS_PER_CHAR }),
      () => void api.call('vm.cancelTyping', { id: vm.config.id }).catch(() => undefined),
    );
    const how = result.via === 'serial' ? 'on its serial port' : `as ${KEYBOARD_LAYOUT_NAMES[vm.config.keyboardLayout]} keystrokes`;
    print(ctx, json, result, () => `typed ${result.typed} characters into ${vm.config.name} ${how}`);
  },
};
