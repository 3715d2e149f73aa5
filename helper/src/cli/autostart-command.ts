import os from 'node:os';
import { OpenUtmError } from '@openutm/shared';
import { autostartFiles, autostartStatus, currentAutostartHost, disableAutostart, enableAutostart, type AutostartHost } from '../autostart/autostart-service';
import { currentLaunchFacts, helperLaunchCommand, type LaunchCommand } from '../autostart/launch-command';
import { defaultLibraryRoot } from '../vm-library/library-paths';
import { print, type Command, type CommandContext } from './command';
import { helperLogPath } from './helper-launcher';

// The host autostart works with; HOME from the CLI's environment so a temp HOME (tests, a
// second account) is honoured the way the OS would honour it.
export function autostartHostFor(ctx: Pick<CommandContext, 'env'>): AutostartHost {
  const host = currentAutostartHost(helperLogPath(defaultLibraryRoot(ctx.env)), ctx.env);
  return process.platform === 'win32' ? host : { ...host, home: ctx.env.HOME || os.homedir() };
}

// What login runs: `openutm serve`, detached on Windows (see serve-background.ts).
export function autostartCommandFor(host: AutostartHost): LaunchCommand {
  return helperLaunchCommand(currentLaunchFacts(), { background: host.os === 'win32' });
}

// `openutm autostart enable|disable|status`: start the helper at login, or not.
export const AUTOSTART_COMMAND: Command = {
  summary: 'start the helper at login: enable, disable or status',
  usage: 'enable|disable|status',
  options: {},
  async run(ctx, { positionals, json }) {
    const [action, ...extra] = positionals;
    if (extra.length > 0 || !action || !['enable', 'disable', 'status'].includes(action)) {
      throw new OpenUtmError('BAD_REQUEST', `autostart takes one of enable, disable, status${action ? `, got ${JSON.stringify(positionals.join(' '))}` : ''}`);
    }
    const host = autostartHostFor(ctx);
    const command = autostartCommandFor(host);
    if (action === 'enable') {
      const r = await enableAutostart(host, command);
      // Windows starts it through the hidden launcher (autostart/windows-launcher.ts): say where it is.
      const through = host.os === 'win32' ? `\n  through: ${autostartFiles(host)[0]} (hidden, no console window)` : '';
      print(ctx, json, r, () => `${r.changed ? 'OpenUTM will start at login' : 'OpenUTM already starts at login'}: ${r.where}\n  runs: ${command.argv.join(' ')}${through}`);
    } else if (action === 'disable') {
      const r = await disableAutostart(host);
      print(ctx, json, r, () => (r.removed ? `OpenUTM no longer starts at login (removed ${r.where})` : `OpenUTM did not start at login (nothing at ${r.where})`));
    } else {
      const s = await autostartStatus(host, command);
      const human = !s.enabled
        ? `off: OpenUTM does not start at login (enable it with \`openutm autostart enable\`)`
        : s.current
          ? `on: OpenUTM starts at login (${s.where})`
          : `on, but for another copy of OpenUTM (${s.where}); run \`openutm autostart enable\` to start this one instead`;
      print(ctx, json, s, () => human);
    }
  },
};
