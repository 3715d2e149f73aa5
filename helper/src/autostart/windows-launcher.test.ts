import { test } from 'node:test';
import assert from 'node:assert/strict';
import vm from 'node:vm';
import path from 'node:path';
import { isOpenUtmError } from '@openutm/shared';
import { regAddArgv } from './run-key';
import { isOurLauncher, jscriptString, launcherCommand, launcherScript, windowsLauncherFile } from './windows-launcher';
import type { LaunchCommand } from './launch-command';
import { splitWindowsCommandLine } from './testing/windows-argv';

// Windows folder names can hold spaces, quotes (in arguments), %, ^, !, unicode outside the BMP,
// and text that would close a JScript string or comment if pasted in raw.
const HOSTILE = ['Open UTM', 'it\'s "quoted"', '100% %APPDATA% ^caret^ !bang!', 'ünïcødé 仮想 🖥', '"); WScript.Quit(1); ("', '*/ x /*', '\\\\server\\share', 'trailing\\'];

// Runs the launcher text in V8 with the one object it uses, recording what WshShell.Run gets.
// JScript (ES3) is a subset V8 parses the same way for this text: one call, string escapes only.
function runLauncher(text: string): { command: string; style: number; wait: boolean; objects: string[] } {
  const calls: { command: string; style: number; wait: boolean }[] = [];
  const objects: string[] = [];
  class ActiveXObject {
    constructor(progId: string) {
      objects.push(progId);
    }
    Run(command: string, style: number, wait: boolean) {
      calls.push({ command, style, wait });
    }
  }
  vm.runInNewContext(text, { ActiveXObject });
  assert.equal(calls.length, 1, 'the launcher runs exactly one program');
  return { ...calls[0]!, objects };
}

test('the launcher starts exactly the helper command line, hidden and without waiting, whatever the folder is called', () => {
  for (const name of HOSTILE) {
    const argv: LaunchCommand['argv'] = [`C:\\Users\\Ann\\${name.replace(/"/g, '')}\\openutm.exe`, 'serve', '--background', `--x=${name}`];
    const text = launcherScript({ argv });
    assert.ok(/^[\x20-\x7e\r\n]*$/.test(text), `the file is printable ASCII through ${JSON.stringify(name)}`);
    assert.ok(isOurLauncher(text));
    const run = runLauncher(text);
    assert.deepEqual(run.objects, ['WScript.Shell']);
    assert.equal(run.style, 0, 'window style 0: hidden');
    assert.equal(run.wait, false);
    assert.deepEqual(splitWindowsCommandLine(run.command), argv, `argv through ${JSON.stringify(name)}: ${run.command}`);
  }
});

test('jscriptString round-trips any text, surrogate pairs and line breaks included', () => {
  for (const s of ['', 'plain', 'a"b\'c\\d', 'line\nbreak\r\u2028\u2029', '🖥 仮想', '\u0000\u001f']) {
    assert.equal(vm.runInNewContext(jscriptString(s)), s);
  }
});

test('the Run value starts wscript.exe from the system folder with the launcher, and splits back to that argv', () => {
  for (const name of HOSTILE.map((n) => n.replace(/"/g, ''))) {
    const file = `C:\\Users\\${name}\\AppData\\Roaming\\OpenUTM\\Config\\openutm-login.js`;
    const command = launcherCommand(file, { SystemRoot: 'C:\\Windows' });
    assert.deepEqual(command.argv, ['C:\\Windows\\System32\\wscript.exe', '//B', '//Nologo', '//E:JScript', file]);
    const add = regAddArgv(command);
    assert.deepEqual(splitWindowsCommandLine(add[8]!), command.argv, `through ${JSON.stringify(name)}: ${add[8]}`);
    assert.equal(add[7], '/d');
  }
  // No SystemRoot in the environment (a stripped service environment): the default folder.
  assert.equal(launcherCommand('C:\\x.js', {}).argv[0], 'C:\\Windows\\System32\\wscript.exe');
  // A user folder so long that the value passes Windows' 260-character limit is refused.
  assert.throws(() => regAddArgv(launcherCommand(`C:\\Users\\${'a'.repeat(240)}\\openutm-login.js`, {})), (e: unknown) => isOpenUtmError(e) && e.code === 'UNSAFE_PATH');
});

test('the launcher lives in %APPDATA%\\OpenUTM\\Config, or under the home folder when APPDATA is unusable', () => {
  const home = path.resolve('/home/ann');
  assert.equal(windowsLauncherFile(home, { APPDATA: path.resolve('/roam') }), path.join(path.resolve('/roam'), 'OpenUTM', 'Config', 'openutm-login.js'));
  assert.equal(windowsLauncherFile(home, { APPDATA: 'relative' }), path.join(home, 'AppData', 'Roaming', 'OpenUTM', 'Config', 'openutm-login.js'));
  assert.equal(windowsLauncherFile(home, {}), path.join(home, 'AppData', 'Roaming', 'OpenUTM', 'Config', 'openutm-login.js'));
});

test('a launcher for a path with a newline is refused like every other writer', () => {
  assert.throws(() => launcherScript({ argv: ['C:\\bad\nname\\openutm.exe', 'serve'] }), (e: unknown) => isOpenUtmError(e) && e.code === 'UNSAFE_PATH');
  assert.equal(isOurLauncher('WScript.Echo(1)'), false);
});
