import { OpenUtmError } from '@openutm/shared';
import type { LaunchCommand } from './launch-command';

// A newline or other control character cannot be written into a .desktop line, a plist or a
// registry command line without changing its meaning, so such a path is refused outright.
export function assertPrintable(argv: readonly string[]): void {
  for (const arg of argv) {
    if (/[\u0000-\u001f\u007f]/.test(arg)) {
      throw new OpenUtmError('UNSAFE_PATH', `${JSON.stringify(arg)} contains a control character (a newline?) and cannot be registered to start at login; move OpenUTM to a folder whose name has none`);
    }
  }
}

// Desktop Entry spec, "The Exec key": an argument with reserved characters is double-quoted and,
// inside the quotes, ", `, $ and \ take a backslash; % starts a field code, so it is doubled.
function quoteDesktopArg(arg: string): string {
  const reserved = /[\s"'\\><~|&;$*?#()`]/;
  const quoted = arg === '' || reserved.test(arg) ? `"${arg.replace(/["`$\\]/g, (c) => `\\${c}`)}"` : arg;
  return quoted.replace(/%/g, '%%');
}

// The value of an Exec= key. The spec applies the string-value escape (\\ for \) before the
// quoting rule is read, so every backslash of the quoted line is doubled once more.
// GLib (GNOME and others) checks that the program exists before it expands field codes, so a
// program path with a % (written %%) is never found there; `env` in front keeps it an argument.
export function desktopExecValue(command: LaunchCommand): string {
  assertPrintable(command.argv);
  const argv = command.argv[0].includes('%') ? ['env', ...command.argv] : command.argv;
  return argv.map(quoteDesktopArg).join(' ').replace(/\\/g, '\\\\');
}

// Windows command line (the rules of CommandLineToArgvW and the C runtime): an argument with a
// space, tab or quote is double-quoted; quotes inside take a backslash, and backslashes are
// doubled only where they precede a quote. % is not special here: the Run value is REG_SZ,
// never expanded, and no cmd.exe reads it.
export function quoteWindowsArg(arg: string): string {
  if (arg !== '' && !/[\s"]/.test(arg)) return arg;
  let out = '"';
  let slashes = 0;
  for (const ch of arg) {
    if (ch === '\\') {
      slashes++;
      continue;
    }
    if (ch === '"') out += '\\'.repeat(slashes * 2 + 1) + '"';
    else out += '\\'.repeat(slashes) + ch;
    slashes = 0;
  }
  return `${out}${'\\'.repeat(slashes * 2)}"`;
}

export function windowsCommandLine(command: LaunchCommand): string {
  assertPrintable(command.argv);
  // The program name ends at the next quote whatever precedes it; Windows forbids " in names.
  if (command.argv[0].includes('"')) {
    throw new OpenUtmError('UNSAFE_PATH', `${command.argv[0]} contains a double quote, which no Windows path can; run OpenUTM from its real location`);
  }
  return command.argv.map(quoteWindowsArg).join(' ');
}

// The five characters XML reserves; everything else, unicode included, goes in as UTF-8.
export function xmlEscape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}
