import { OpenUtmError } from '@openutm/shared';
import { windowsCommandLine } from './command-text';
import type { LaunchCommand } from './launch-command';

// Windows: a value under the per-user Run key, which Explorer starts at every sign-in. Written
// with reg.exe (spawned with an argv, no cmd.exe in between), so no native addon is needed.
export const RUN_KEY = 'HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run';
export const RUN_VALUE = 'OpenUTM';
// Run entries longer than this are ignored by Windows (documented for the Run keys).
export const RUN_VALUE_MAX = 260;

// The value's data: the Windows command line that starts the helper.
export function runValueData(command: LaunchCommand): string {
  const line = windowsCommandLine(command);
  if (line.length > RUN_VALUE_MAX) {
    throw new OpenUtmError('UNSAFE_PATH', `the command that starts OpenUTM is ${line.length} characters long, and Windows ignores Run entries over ${RUN_VALUE_MAX}; move OpenUTM to a shorter path`);
  }
  return line;
}

// REG_SZ, not REG_EXPAND_SZ: a % in a folder name must stay a %.
export function regAddArgv(command: LaunchCommand): string[] {
  return ['reg', 'add', RUN_KEY, '/v', RUN_VALUE, '/t', 'REG_SZ', '/d', runValueData(command), '/f'];
}

export function regDeleteArgv(): string[] {
  return ['reg', 'delete', RUN_KEY, '/v', RUN_VALUE, '/f'];
}

export function regQueryArgv(): string[] {
  return ['reg', 'query', RUN_KEY, '/v', RUN_VALUE];
}

// The data of our value in `reg query` output ("    OpenUTM    REG_SZ    <data>"), or null.
export function parseRegQuery(stdout: string): string | null {
  for (const line of stdout.split(/\r?\n/)) {
    const m = /^\s+(.+?)\s{4}(REG_SZ|REG_EXPAND_SZ)\s{4}(.*)$/.exec(line);
    if (m && m[1] === RUN_VALUE) return m[3]!;
  }
  return null;
}
