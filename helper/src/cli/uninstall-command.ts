import { existsSync } from 'node:fs';
import { OpenUtmError } from '@openutm/shared';
import { autostartFiles, autostartRegistered, autostartWhere, disableAutostart, unloadLaunchAgent } from '../autostart/autostart-service';
import { runningAsSea } from '../autostart/launch-command';
import { defaultLibraryRoot } from '../vm-library/library-paths';
import { defaultRuntimeRoot } from '../runtime/runtime-paths';
import { assertNothingRunning, keptVms, presentTraces, removeTraces, type UninstallEnv } from '../uninstall/uninstall';
import { autostartHostFor } from './autostart-command';
import { print, type Command } from './command';

// `openutm uninstall`: removes what OpenUTM put on this computer (start at login, secrets and
// tokens, logs, runtime and cache folders) and keeps the VMs. It refuses while the helper or a
// VM runs rather than stopping them: quitting is one click in the tray, and an uninstall that
// pulled the runtime folder from under a running VM would cut it off from its console.
export const UNINSTALL_COMMAND: Command = {
  summary: 'remove OpenUTM\'s settings, tokens, logs and start at login (your VMs stay)',
  usage: '[--yes]',
  options: { yes: { type: 'boolean', short: 'y' } },
  async run(ctx, { values, json }) {
    const libraryRoot = defaultLibraryRoot(ctx.env);
    const host = autostartHostFor(ctx);
    const autostart = autostartWhere(host);
    const startFiles = autostartFiles(host);
    const env: UninstallEnv = { libraryRoot, runtimeRoot: defaultRuntimeRoot(libraryRoot), autostartFiles: startFiles };
    assertNothingRunning(env);
    const traces = presentTraces(env);
    if (host.os === 'win32' && (await autostartRegistered(host))) traces.unshift({ path: autostart, what: 'start at login' });
    const vms = keptVms(libraryRoot);
    if (!values.yes) {
      if (json) throw new OpenUtmError('BAD_REQUEST', 'uninstall with --json needs --yes (there is no prompt to answer)');
      ctx.out('openutm uninstall will remove:');
      for (const t of traces) ctx.out(`  ${t.path}  (${t.what})`);
      if (traces.length === 0) ctx.out('  nothing: OpenUTM left no traces here');
      ctx.out(`and keep your VMs${vms.length ? `: ${vms.length} in ${libraryRoot}` : ` (none in ${libraryRoot})`}.`);
      const answer = await ctx.confirm('Type "yes" to go on: ');
      if (answer.toLowerCase() !== 'yes') {
        ctx.err('nothing removed');
        return 1;
      }
    }
    // Autostart first, through its own module (it leaves a file someone else wrote in place).
    const off = await disableAutostart(host);
    await unloadLaunchAgent(host);
    // The autostart module removed its files too (only those it wrote); they are listed when gone.
    const rest = removeTraces(env, traces.filter((t) => t.path !== autostart && !startFiles.includes(t.path)));
    const goneFiles = startFiles.filter((f) => traces.some((t) => t.path === f) && !existsSync(f));
    const result = { removed: [...(off.removed ? [off.where] : []), ...goneFiles.filter((f) => f !== off.where), ...rest], keptVms: vms, libraryRoot, executable: runningAsSea() ? process.execPath : null };
    print(ctx, json, result, () =>
      [
        result.removed.length ? `removed:\n${result.removed.map((p) => `  ${p}`).join('\n')}` : 'nothing to remove',
        vms.length ? `kept your ${vms.length} VM(s) in ${libraryRoot}; delete that folder yourself if you no longer want them` : 'there were no VMs to keep',
        result.executable ? `the program itself is yours to delete: ${result.executable}` : '',
      ]
        .filter(Boolean)
        .join('\n'),
    );
  },
};
