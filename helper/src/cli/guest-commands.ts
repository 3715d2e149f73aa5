import path from 'node:path';
import { OpenUtmError } from '@openutm/shared';
import { int, print, type Command } from './command';
import { withJob } from './follow-job';
import { formatGuestIps } from './format-guest';
import { findVm } from './vm-commands';

// The CLI waits for a command in the guest a little longer than the helper does.
const EXEC_MARGIN_MS = 30_000;
const DEFAULT_EXEC_TIMEOUT_S = 60;
const FILE_TIMEOUT_MS = 60 * 60_000;

// What the QEMU guest agent offers, like utmctl: addresses, running a command, copying files.
export const GUEST_COMMANDS: Record<string, Command> = {
  ip: {
    summary: 'print the guest’s IP addresses (needs qemu-guest-agent in the guest); --all adds loopback and link-local',
    usage: '<vm> [--all]',
    options: { all: { type: 'boolean' } },
    async run(ctx, { values, positionals, json }) {
      const api = await ctx.api();
      const vm = await findVm(api, positionals[0]);
      const info = await api.call('vm.guestInfo', { id: vm.config.id, all: values.all === true });
      if (info.state !== 'connected') {
        throw new OpenUtmError('GUEST_AGENT_ABSENT', info.state === 'off' ? `${vm.config.name} has no guest agent channel; turn on "QEMU guest agent" in its settings and restart it` : `the guest agent of ${vm.config.name} does not answer; install qemu-guest-agent in the guest and start it`);
      }
      print(ctx, json, info.ips, () => formatGuestIps(info.ips));
    },
  },
  exec: {
    summary: 'run a command in the guest through its agent; prints its output, exits with its exit code',
    usage: '<vm> [--timeout SECONDS] [--stdin] -- <command> [args…]',
    options: { timeout: { type: 'string' }, stdin: { type: 'boolean' } },
    async run(ctx, { values, positionals, json }) {
      const [ref, command, ...args] = positionals;
      if (command === undefined) throw new OpenUtmError('BAD_REQUEST', 'name the command to run after --, e.g. `openutm exec VM -- uname -a`');
      const seconds = int(values, 'timeout') ?? DEFAULT_EXEC_TIMEOUT_S;
      const stdin = values.stdin === true ? (await ctx.readStdin()).toString('base64') : undefined;
      const api = await ctx.api();
      const vm = await findVm(api, ref);
      const result = await api.call(
        'vm.exec',
        { id: vm.config.id, path: command, args, timeoutMs: seconds * 1000, ...(stdin !== undefined && { stdin }) },
        { timeoutMs: seconds * 1000 + EXEC_MARGIN_MS },
      );
      if (json) {
        print(ctx, json, result, () => '');
      } else {
        ctx.write('out', Buffer.from(result.stdout, 'base64'));
        ctx.write('err', Buffer.from(result.stderr, 'base64'));
        if (result.truncated) ctx.err('openutm: the guest agent cut the output at its limit');
        if (result.signal !== null) ctx.err(`openutm: ${command} was ended by signal ${result.signal} in the guest`);
      }
      // Like a shell: the command's own exit code, or 128 + the signal that ended it.
      return result.exitCode ?? 128 + (result.signal ?? 0);
    },
  },
  file: {
    summary: 'copy a file into the guest or out of it: `file push <vm> LOCAL GUESTPATH`, `file pull <vm> GUESTPATH LOCAL [--overwrite]`',
    usage: 'push <vm> <local file> <guest path> | pull <vm> <guest path> <local file> [--overwrite]',
    options: { overwrite: { type: 'boolean' } },
    async run(ctx, { values, positionals, json }) {
      const [direction, ref, from, to] = positionals;
      if ((direction !== 'push' && direction !== 'pull') || from === undefined || to === undefined) {
        throw new OpenUtmError('BAD_REQUEST', 'say `openutm file push VM LOCAL GUESTPATH` or `openutm file pull VM GUESTPATH LOCAL`');
      }
      const api = await ctx.api();
      const vm = await findVm(api, ref);
      const what = direction === 'push' ? 'copying into the guest' : 'copying from the guest';
      const result = await withJob(api, ctx.err, what, (job) =>
        direction === 'push'
          ? api.call('vm.filePush', { id: vm.config.id, hostPath: path.resolve(ctx.cwd, from), guestPath: to, job }, { timeoutMs: FILE_TIMEOUT_MS })
          : api.call('vm.filePull', { id: vm.config.id, guestPath: from, hostPath: path.resolve(ctx.cwd, to), overwrite: values.overwrite === true, job }, { timeoutMs: FILE_TIMEOUT_MS }),
      );
      print(ctx, json, result, () => `${direction === 'push' ? `copied ${from} to ${to} in ${vm.config.name}` : `copied ${from} from ${vm.config.name} to ${to}`}: ${result.bytes} bytes, sha256 ${result.sha256}`);
    },
  },
};
