import path from 'node:path';
import { windowsCommandLine } from './command-text';
import type { LaunchCommand } from './launch-command';

// Windows: the Run value does not start openutm.exe itself. The single executable is a
// console-subsystem program, so Windows gives it a console window the moment it is created,
// before any of its code runs: a window flashed at every sign-in (and, with Windows Terminal as
// the default terminal, a terminal window). Only the program that creates the process can ask
// for it hidden. So the Run value starts wscript.exe, a GUI-subsystem program (no console),
// with a three-line JScript file that runs the helper through WshShell.Run, window style 0
// (hidden). See helper/src/tray/README.md ("Start at login on Windows") for the alternatives.
//
// JScript, not VBScript: Microsoft deprecated VBScript in October 2023; it is a feature on
// demand, installed and enabled in Windows 11 24H2, planned to be disabled by default around
// 2027 and removed later. JScript runs in the same Windows Script Host and is not part of
// that deprecation.
export const LAUNCHER_FILE_NAME = 'openutm-login.js';
// The first line of every launcher we write: uninstall removes only files that carry it.
export const LAUNCHER_MARK = '// OpenUTM start-at-login launcher (X-OpenUTM-Autostart=1)';

// Beside OpenUTM's settings (%APPDATA%\OpenUTM\Config, env-paths' config folder), not beside
// the executable: Program Files is not writable by the user who enables start at login. APPDATA
// roams with the profile, as the HKCU Run value that names the file does. Joined with the
// running OS's rules because the file is written here (tests on Linux pass a POSIX APPDATA).
export function windowsLauncherFile(home: string, env: Record<string, string | undefined>): string {
  const appData = env.APPDATA && path.isAbsolute(env.APPDATA) ? env.APPDATA : path.join(home, 'AppData', 'Roaming');
  return path.join(appData, 'OpenUTM', 'Config', LAUNCHER_FILE_NAME);
}

// What the Run value holds: wscript.exe from the system folder (by full path, so no folder on a
// search path can stand in for it), in batch mode (//B: no script error dialog at sign-in),
// without the banner, with the engine named so a changed .js file association cannot matter.
export function launcherCommand(launcherFile: string, env: Record<string, string | undefined>): LaunchCommand {
  const systemRoot = env.SystemRoot || env.SYSTEMROOT || env.windir || 'C:\\Windows';
  return { argv: [path.win32.join(systemRoot, 'System32', 'wscript.exe'), '//B', '//Nologo', '//E:JScript', launcherFile] };
}

// JScript string literal holding any text: everything but a few plain ASCII characters becomes
// \uXXXX (UTF-16 code units, as JScript strings are), so the file is pure ASCII. WSH reads .js
// files in the ANSI code page unless they carry a UTF-16 BOM; ASCII reads the same in all.
export function jscriptString(text: string): string {
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    out += /[A-Za-z0-9 .,:_\-/]/.test(ch) ? ch : `\\u${text.charCodeAt(i).toString(16).padStart(4, '0')}`;
  }
  return `${out}"`;
}

// The launcher's whole text (CRLF line ends, the Windows convention). The helper's command line
// is the one the Run value used to hold; `serve --background` then detaches the helper with no
// console and returns.
export function launcherScript(command: LaunchCommand): string {
  const line = windowsCommandLine(command);
  return [
    LAUNCHER_MARK,
    '// Written by `openutm autostart enable`; `openutm autostart disable` and `openutm uninstall` remove it.',
    `new ActiveXObject("WScript.Shell").Run(${jscriptString(line)}, 0, false);`,
    '',
  ].join('\r\n');
}

export function isOurLauncher(text: string): boolean {
  return text.startsWith(LAUNCHER_MARK);
}
