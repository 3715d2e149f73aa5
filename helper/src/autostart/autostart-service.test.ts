import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// Linux and macOS paths are joined with / whatever OS runs the test, as the writers do; the
// Windows launcher file is written where the test runs, so those tests join natively (path.join).
const join = path.posix.join;
import { isOpenUtmError, type HostOs } from '@openutm/shared';
import { autostartFiles, autostartStatus, autostartWhere, disableAutostart, enableAutostart, type AutostartHost } from './autostart-service';
import type { LaunchCommand } from './launch-command';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'openutm-autostart-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function host(hostOs: HostOs, name: string, env: Record<string, string> = {}): AutostartHost {
  const home = path.join(tmp, name);
  mkdirSync(home, { recursive: true });
  return { os: hostOs, home, env, uid: 1000, logFile: path.join(home, 'lib', 'logs', 'helper.log'), run: () => Promise.reject(new Error('no program may run for file-based autostart')) };
}

const command: LaunchCommand = { argv: ['/opt/Open UTM/openutm', 'serve'] };

test('Linux: enable writes ~/.config/autostart/openutm.desktop; status sees it; disable removes it', async () => {
  const h = host('linux', 'round-trip');
  const file = join(h.home, '.config', 'autostart', 'openutm.desktop');
  assert.deepEqual(await autostartStatus(h, command), { enabled: false, current: false, where: file });

  const on = await enableAutostart(h, command);
  assert.deepEqual(on, { enabled: true, current: true, where: file, changed: true });
  const text = readFileSync(file, 'utf8');
  assert.match(text, /^Exec="\/opt\/Open UTM\/openutm" serve$/m);
  if (process.platform !== 'win32') assert.equal(statSync(file).mode & 0o777, 0o644);

  const again = await enableAutostart(h, command);
  assert.equal(again.changed, false, 'a second enable changes nothing');
  assert.equal(readFileSync(file, 'utf8'), text);

  assert.deepEqual(await disableAutostart(h), { removed: true, where: file });
  assert.deepEqual(await autostartStatus(h, command), { enabled: false, current: false, where: file });
  assert.deepEqual(await disableAutostart(h), { removed: false, where: file }, 'disable when absent is fine');
});

test('Linux: XDG_CONFIG_HOME is honoured when absolute, ignored when relative (as the spec says)', { skip: process.platform === 'win32' ? 'an absolute XDG_CONFIG_HOME is a POSIX path, which no Windows temp folder is' : false }, async () => {
  const h = host('linux', 'xdg', { XDG_CONFIG_HOME: join(tmp, 'xdg', 'conf') });
  assert.equal((await enableAutostart(h, command)).where, join(tmp, 'xdg', 'conf', 'autostart', 'openutm.desktop'));
  const rel = host('linux', 'xdg-rel', { XDG_CONFIG_HOME: 'conf' });
  assert.equal((await autostartStatus(rel, command)).where, join(rel.home, '.config', 'autostart', 'openutm.desktop'));
});

test('Linux: an entry for another copy reads as not current, and enable rewrites it for this one', async () => {
  const h = host('linux', 'moved');
  await enableAutostart(h, { argv: ['/old/place/openutm', 'serve'] });
  const s = await autostartStatus(h, command);
  assert.deepEqual([s.enabled, s.current], [true, false]);
  assert.equal((await enableAutostart(h, command)).changed, true);
  assert.match(readFileSync(s.where, 'utf8'), /Open UTM/);
});

test('a file of the same name that OpenUTM did not write is neither overwritten nor removed', async () => {
  const h = host('linux', 'foreign');
  const file = join(h.home, '.config', 'autostart', 'openutm.desktop');
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, '[Desktop Entry]\nType=Application\nExec=/home/me/my-own-script\n');
  const conflict = (e: unknown) => isOpenUtmError(e) && e.code === 'CONFLICT' && e.message.includes(file);
  await assert.rejects(enableAutostart(h, command), conflict);
  await assert.rejects(disableAutostart(h), conflict);
  assert.match(readFileSync(file, 'utf8'), /my-own-script/);
});

test('macOS: enable writes ~/Library/LaunchAgents/org.openutm.helper.plist naming the log; disable removes it', async () => {
  const h = host('darwin', 'mac');
  const file = join(h.home, 'Library', 'LaunchAgents', 'org.openutm.helper.plist');
  const on = await enableAutostart(h, command);
  assert.deepEqual(on, { enabled: true, current: true, where: file, changed: true });
  assert.ok(readFileSync(file, 'utf8').includes(`<string>${h.logFile}</string>`));
  assert.equal((await enableAutostart(h, command)).changed, false);
  assert.deepEqual(await disableAutostart(h), { removed: true, where: file });
});

test('Windows: enable writes the hidden launcher, then a Run value that starts it; disable removes both', async () => {
  let registry: string | null = null;
  const runs: string[][] = [];
  const base = host('win32', 'win');
  const appData = path.join(base.home, 'AppData', 'Roaming');
  const h: AutostartHost = {
    ...base,
    env: { APPDATA: appData, SystemRoot: 'C:\\WINDOWS' },
    // reg.exe cannot run here; this stands in for its three verbs on our one value.
    run: async (argv) => {
      runs.push(argv);
      if (argv[1] === 'query') return registry === null ? { code: 1, stdout: '', stderr: 'ERROR: not found' } : { code: 0, stdout: `\r\nHKEY_CURRENT_USER\\...\\Run\r\n    OpenUTM    REG_SZ    ${registry}\r\n`, stderr: '' };
      if (argv[1] === 'add') registry = argv[8]!;
      if (argv[1] === 'delete') registry = null;
      return { code: 0, stdout: '', stderr: '' };
    },
  };
  const launcher = path.join(appData, 'OpenUTM', 'Config', 'openutm-login.js');
  assert.deepEqual(autostartFiles(h), [launcher]);
  const exe: LaunchCommand = { argv: ['C:\\Program Files\\OpenUTM\\openutm.exe', 'serve', '--background'] };
  assert.equal((await enableAutostart(h, exe)).changed, true);
  assert.equal(registry, `C:\\WINDOWS\\System32\\wscript.exe //B //Nologo //E:JScript ${launcher}`);
  assert.match(readFileSync(launcher, 'utf8'), /^\/\/ OpenUTM start-at-login launcher/);
  assert.equal((await enableAutostart(h, exe)).changed, false);
  assert.equal(runs.filter((r) => r[1] === 'add').length, 1);

  // A launcher edited by hand (or for another copy) makes the registration stale: enable rewrites it.
  writeFileSync(launcher, readFileSync(launcher, 'utf8').replace('openutm.exe', 'old.exe'));
  assert.equal((await autostartStatus(h, exe)).current, false);
  assert.equal((await enableAutostart(h, exe)).changed, true);

  assert.equal((await disableAutostart(h)).removed, true);
  assert.equal(registry, null);
  assert.equal(existsSync(launcher), false, 'disable removes the launcher file');
  assert.equal((await disableAutostart(h)).removed, false);
  assert.equal(runs.filter((r) => r[1] === 'delete').length, 1);
});

test('Windows: an older registration that started openutm.exe directly reads as stale and is replaced', async () => {
  let registry: string | null = '"C:\\OpenUTM\\openutm.exe" serve --background';
  const base = host('win32', 'win-old');
  const h: AutostartHost = {
    ...base,
    env: { APPDATA: path.join(base.home, 'roaming') },
    run: async (argv) => {
      if (argv[1] === 'query') return registry === null ? { code: 1, stdout: '', stderr: '' } : { code: 0, stdout: `    OpenUTM    REG_SZ    ${registry}\r\n`, stderr: '' };
      if (argv[1] === 'add') registry = argv[8]!;
      return { code: 0, stdout: '', stderr: '' };
    },
  };
  const exe: LaunchCommand = { argv: ['C:\\OpenUTM\\openutm.exe', 'serve', '--background'] };
  assert.deepEqual(await autostartStatus(h, exe), { enabled: true, current: false, where: 'HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run\\OpenUTM' });
  await enableAutostart(h, exe);
  assert.match(registry!, /wscript\.exe \/\/B \/\/Nologo \/\/E:JScript /);
});

test('Windows: a file at the launcher path that OpenUTM did not write is neither overwritten nor removed', async () => {
  const base = host('win32', 'win-foreign');
  const h: AutostartHost = { ...base, env: { APPDATA: path.join(base.home, 'roaming') }, run: async () => ({ code: 1, stdout: '', stderr: '' }) };
  const [launcher] = autostartFiles(h);
  mkdirSync(path.dirname(launcher!), { recursive: true });
  writeFileSync(launcher!, 'WScript.Echo("mine");\r\n');
  await assert.rejects(enableAutostart(h, { argv: ['C:\\OpenUTM\\openutm.exe', 'serve'] }), (e: unknown) => isOpenUtmError(e) && e.code === 'CONFLICT');
  assert.deepEqual(await disableAutostart(h), { removed: false, where: autostartWhere(h) });
  assert.equal(readFileSync(launcher!, 'utf8'), 'WScript.Echo("mine");\r\n');
});

test('Windows: a failing reg.exe is reported with its message', async () => {
  const h: AutostartHost = { ...host('win32', 'win-fail'), run: async (argv) => (argv[1] === 'query' ? { code: 1, stdout: '', stderr: '' } : { code: 1, stdout: '', stderr: 'ERROR: Access is denied.' }) };
  await assert.rejects(enableAutostart(h, command), (e: unknown) => isOpenUtmError(e) && e.code === 'IO_ERROR' && /Access is denied/.test(e.message));
});
