import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isOpenUtmError } from '@openutm/shared';
import { desktopEntry } from './xdg-autostart';
import { LAUNCH_AGENT_LABEL, bootoutArgv, bootstrapArgv, launchAgentPlist } from './launch-agent';
import { RUN_KEY, parseRegQuery, regAddArgv, regDeleteArgv, regQueryArgv, runValueData } from './run-key';
import { helperLaunchCommand, type LaunchCommand } from './launch-command';
import { splitWindowsCommandLine } from './testing/windows-argv';

// Folder names people (and attackers) can have: spaces, quotes, shell and field-code characters, unicode.
const HOSTILE_DIRS = ['Open UTM', 'it\'s "quoted"', '100% $HOME `id` ; & |', 'ünïcødé 仮想 🖥', 'back\\slash', 'trailing\\'];

test('the launch command is the single executable alone, or node plus the absolute bundle path', () => {
  assert.deepEqual(helperLaunchCommand({ isSea: true, execPath: '/Apps/OpenUTM.app/openutm', script: undefined }).argv, ['/Apps/OpenUTM.app/openutm', 'serve']);
  const dev = helperLaunchCommand({ isSea: false, execPath: '/usr/bin/node', script: 'helper/bin/openutm.cjs' }).argv;
  assert.deepEqual(dev, ['/usr/bin/node', path.resolve('helper/bin/openutm.cjs'), 'serve']);
  assert.throws(() => helperLaunchCommand({ isSea: false, execPath: '/usr/bin/node', script: '/src/main.ts' }), /build it/);
  // Windows logs in with --background: no console window stays open.
  const win = helperLaunchCommand({ isSea: true, execPath: 'C:\\Program Files\\OpenUTM\\openutm.exe', script: undefined }, { background: true });
  assert.equal(runValueData(win), '"C:\\Program Files\\OpenUTM\\openutm.exe" serve --background');
});

test('the Exec line of the desktop entry gives GLib (gio launch) back the exact argv, hostile folders included', { skip: gioMissing() }, () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'openutm-exec-'));
  try {
    for (const name of HOSTILE_DIRS) {
      const dir = path.join(tmp, name);
      mkdirSync(dir, { recursive: true });
      const program = path.join(dir, 'open utm');
      writeFileSync(program, '#!/bin/sh\nprintf "%s\\n" "$0" "$@" > "$OPENUTM_ARGV_OUT"\n');
      chmodSync(program, 0o755);
      const argv: LaunchCommand['argv'] = [program, 'serve', `--x=${name}`];
      const entry = path.join(tmp, 'openutm.desktop');
      writeFileSync(entry, desktopEntry({ argv }));
      const out = path.join(tmp, 'argv.txt');
      rmSync(out, { force: true });
      execFileSync('gio', ['launch', entry], { env: { ...process.env, OPENUTM_ARGV_OUT: out } });
      const got = waitForFile(out).split('\n').slice(0, -1);
      assert.deepEqual(got, argv, `argv through ${JSON.stringify(name)}`);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('the desktop entry is a plain application entry that stays out of menus', () => {
  const text = desktopEntry({ argv: ['/opt/openutm', 'serve'] });
  assert.match(text, /^\[Desktop Entry\]\nType=Application\n/);
  assert.match(text, /^Exec=\/opt\/openutm serve$/m);
  assert.match(text, /^NoDisplay=true$/m);
  assert.doesNotMatch(text, /^Hidden=/m, 'Hidden=true would disable the entry');
});

test('the LaunchAgent plist is a valid plist that parses back to the label, the argv and the log', { skip: pythonMissing() }, () => {
  const names = HOSTILE_DIRS.concat(['<tag> & &amp;', ']]>']);
  const plists = names.map((name) => launchAgentPlist({ argv: [`/Users/ann/${name}/OpenUTM`, 'serve'] }, `/Users/ann/${name}/logs/helper.log`));
  const parsed = parsePlists(plists);
  names.forEach((name, i) => {
    const argv = [`/Users/ann/${name}/OpenUTM`, 'serve'];
    const log = `/Users/ann/${name}/logs/helper.log`;
    assert.deepEqual(parsed[i], {
      Label: LAUNCH_AGENT_LABEL,
      ProgramArguments: argv,
      RunAtLoad: true,
      KeepAlive: false,
      ProcessType: 'Interactive',
      StandardOutPath: log,
      StandardErrorPath: log,
    });
  });
  assert.deepEqual(bootstrapArgv(501, '/Users/a b/x.plist'), ['launchctl', 'bootstrap', 'gui/501', '/Users/a b/x.plist']);
  assert.deepEqual(bootoutArgv(501), ['launchctl', 'bootout', `gui/501/${LAUNCH_AGENT_LABEL}`]);
});

test('a path with a newline is refused with UNSAFE_PATH by every writer', () => {
  const argv: LaunchCommand['argv'] = ['/opt/bad\nExec=/bin/evil', 'serve'];
  for (const write of [() => desktopEntry({ argv }), () => launchAgentPlist({ argv }, '/log'), () => regAddArgv({ argv })]) {
    assert.throws(write, (e: unknown) => isOpenUtmError(e) && e.code === 'UNSAFE_PATH' && /newline/.test(e.message));
  }
});

test('the Run value splits back (CommandLineToArgvW rules) into the exact argv, % and unicode kept', () => {
  for (const name of HOSTILE_DIRS.concat(['%APPDATA%', '^caret^ !bang!'])) {
    // Windows names cannot hold a double quote; arguments can, so the name goes in both places.
    const argv: LaunchCommand['argv'] = [`C:\\Users\\Ann\\${name.replace(/"/g, '')}\\OpenUTM.exe`, 'serve', `--x=${name}`, name];
    const add = regAddArgv({ argv });
    assert.deepEqual(add.slice(0, 8), ['reg', 'add', RUN_KEY, '/v', 'OpenUTM', '/t', 'REG_SZ', '/d']);
    assert.equal(add[9], '/f');
    assert.deepEqual(splitWindowsCommandLine(add[8]!), argv, `through ${JSON.stringify(name)}: ${add[8]}`);
  }
  assert.equal(runValueData({ argv: ['C:\\Program Files\\OpenUTM\\openutm.exe', 'serve'] }), '"C:\\Program Files\\OpenUTM\\openutm.exe" serve');
  assert.equal(runValueData({ argv: ['C:\\OpenUTM\\openutm.exe', 'serve'] }), 'C:\\OpenUTM\\openutm.exe serve');
  assert.throws(() => regAddArgv({ argv: ['C:\\a"b\\openutm.exe', 'serve'] }), (e: unknown) => isOpenUtmError(e) && e.code === 'UNSAFE_PATH');
  assert.deepEqual(regDeleteArgv(), ['reg', 'delete', RUN_KEY, '/v', 'OpenUTM', '/f']);
  assert.deepEqual(regQueryArgv(), ['reg', 'query', RUN_KEY, '/v', 'OpenUTM']);
});

test('a Run value over 260 characters is refused (Windows would ignore it)', () => {
  const argv: LaunchCommand['argv'] = [`C:\\${'a'.repeat(250)}\\openutm.exe`, 'serve'];
  assert.throws(() => regAddArgv({ argv }), (e: unknown) => isOpenUtmError(e) && e.code === 'UNSAFE_PATH' && /260/.test(e.message));
});

test('reg query output is read back to the value data, and other values are ignored', () => {
  const out = [
    '',
    'HKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\CurrentVersion\\Run',
    '    OneDrive    REG_SZ    "C:\\OneDrive.exe" /background',
    '    OpenUTM    REG_SZ    "C:\\Program Files\\OpenUTM\\openutm.exe" serve',
    '',
  ].join('\r\n');
  assert.equal(parseRegQuery(out), '"C:\\Program Files\\OpenUTM\\openutm.exe" serve');
  assert.equal(parseRegQuery(out.replace('OpenUTM    REG', 'Other    REG')), null);
});

function pythonMissing(): string | false {
  return spawnSync('python3', ['-c', 'import plistlib'], { timeout: 30_000 }).status === 0 ? false : 'python3 (its plistlib parses the plist) is not installed';
}

function gioMissing(): string | false {
  // Homebrew's QEMU brings GLib's gio to macOS, but only Linux desktops read autostart entries.
  if (process.platform !== 'linux') return 'desktop entries are read by Linux desktops only (the test needs a shell-script program, too)';
  return spawnSync('gio', ['help', 'launch']).status === 0 ? false : 'gio (GLib) is not installed';
}

// gio launch may return before the child ran: wait for the recorder to finish writing.
function waitForFile(file: string): string {
  for (let i = 0; i < 200; i++) {
    try {
      const text = readFileSync(file, 'utf8');
      if (text.endsWith('\n')) return text;
    } catch {
      // not written yet
    }
    execFileSync('sleep', ['0.05']);
  }
  throw new Error(`${file} was never written: gio launch did not run the entry`);
}

// Python's plistlib is a real plist parser (expat underneath); it reads the files as a Mac would.
function parsePlists(xmls: string[]): unknown[] {
  const script = 'import json,plistlib,sys; print(json.dumps([plistlib.loads(x.encode()) for x in json.load(sys.stdin)]))';
  return JSON.parse(execFileSync('python3', ['-c', script], { input: JSON.stringify(xmls) }).toString('utf8')) as unknown[];
}
