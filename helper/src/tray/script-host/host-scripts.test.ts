import { test } from 'node:test';
import assert from 'node:assert/strict';
import vm from 'node:vm';
import { spawnSync } from 'node:child_process';
import { newVmConfig, type VmSummary } from '@openutm/shared';
import { windowsCommandLine } from '../../autostart/command-text';
import { trayMenu } from '../tray-menu';
import { HOSTILE_NAMES } from './testing/hostile-names';
import { HELPER_MESSAGE_TYPES, HOST_MESSAGE_TYPES, encodeHostMessage, menuMessage, parseHostLine, type HelperMessage } from './tray-protocol';
import { WINDOWS_COMMAND_LINE_MAX, WINDOWS_TRAY_SCRIPT, windowsTrayArgv } from './windows-tray-host';
import { MACOS_TRAY_SCRIPT, macosTrayArgv } from './macos-tray-host';
import { trayIco } from './tray-ico';

// Neither interpreter exists here (PowerShell is not in Debian's archive; osascript is macOS
// only), so the scripts are tested as text, and the JXA script's protocol half, which is plain
// JavaScript, runs under V8.

function hostileMenu(platform: 'win32' | 'darwin') {
  const vms: VmSummary[] = HOSTILE_NAMES.map((name, i) => {
    const id = `vm${String(i).padStart(4, '0')}`;
    const config = newVmConfig({ name: 'placeholder', preset: 'linux-server' }, { id, now: new Date('2024-05-01T12:00:00Z') });
    return { config: { ...config, name }, status: { id, name, state: 'running', since: '2024-05-01T12:00:00.000Z', pid: 1, crash: null, lastShutdown: null } };
  });
  return menuMessage(trayMenu({ vms, autostart: true, url: 'http://127.0.0.1:47320/' }), platform);
}

// Braces and parentheses balance once comments and quoted strings are taken out: a cheap
// check that an edit did not leave a block open (there is no PowerShell parser here).
function balanced(script: string): boolean {
  const code = script
    .split('\n')
    .map((l) => l.replace(/^\s*#.*$/, ''))
    .join('\n')
    .replace(/'[^'\n]*'/g, "''")
    .replace(/"[^"\n]*"/g, '""');
  let depth = 0;
  for (const ch of code) {
    if (ch === '{' || ch === '(') depth++;
    if (ch === '}' || ch === ')') depth--;
    if (depth < 0) return false;
  }
  return depth === 0;
}

test('Windows: powershell.exe from the system folder, stdin left to the protocol, the script encoded whole', () => {
  const argv = windowsTrayArgv({ SystemRoot: 'D:\\WINNT' });
  assert.equal(argv[0], 'D:\\WINNT\\System32\\WindowsPowerShell\\v1.0\\powershell.exe');
  for (const flag of ['-NoProfile', '-NonInteractive', '-ExecutionPolicy']) assert.ok(argv.includes(flag), flag);
  assert.deepEqual(argv.slice(argv.indexOf('-InputFormat'), argv.indexOf('-InputFormat') + 2), ['-InputFormat', 'None']);
  assert.equal(argv.at(-2), '-EncodedCommand');
  assert.equal(Buffer.from(argv.at(-1)!, 'base64').toString('utf16le'), WINDOWS_TRAY_SCRIPT);
  const line = windowsCommandLine({ argv: argv as [string, ...string[]] });
  assert.ok(line.length < WINDOWS_COMMAND_LINE_MAX, `the command line (${line.length} characters) fits CreateProcess`);
  assert.equal(windowsTrayArgv({}).at(0), 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe');
});

test('Windows: the script handles every helper message, sends only protocol messages, and never evaluates data', () => {
  const handled = [...WINDOWS_TRAY_SCRIPT.matchAll(/^\s+'(\w+)' \{/gm)].map((m) => m[1]);
  assert.deepEqual(handled.sort(), [...HELPER_MESSAGE_TYPES].sort());
  const sent = new Set([...WINDOWS_TRAY_SCRIPT.matchAll(/type = '(\w+)'/g)].map((m) => m[1]));
  assert.deepEqual([...sent].sort(), [...HOST_MESSAGE_TYPES].sort());
  assert.doesNotMatch(WINDOWS_TRAY_SCRIPT, /Invoke-Expression|\biex\b|ScriptBlock\]::Create|Add-Type -TypeDefinition|-f\s*\$/i);
  // Labels and ids are only ever assigned to properties, never spliced into code.
  assert.match(WINDOWS_TRAY_SCRIPT, /\$item\.Text = \[string\]\$entry\.label/);
  assert.match(WINDOWS_TRAY_SCRIPT, /Send-Message @\{ type = 'click'; id = \[string\]\$source\.Tag \}/);
  // The ghost-icon rule: end of stdin disposes the icon before leaving the message loop.
  assert.match(WINDOWS_TRAY_SCRIPT, /function Stop-Host \{\n(?:  .*\n)*  \$script:notify\.Dispose\(\)\n  \[System\.Windows\.Forms\.Application\]::ExitThread\(\)\n\}/);
  assert.match(WINDOWS_TRAY_SCRIPT, /SetUnhandledExceptionMode\(\[System\.Windows\.Forms\.UnhandledExceptionMode\]::ThrowException\)/);
  assert.ok(balanced(WINDOWS_TRAY_SCRIPT), 'braces and parentheses balance');
  assert.ok(/^[\x20-\x7e\n]*$/.test(WINDOWS_TRAY_SCRIPT), 'ASCII: nothing depends on the code page');
  const hostile = encodeHostMessage(hostileMenu('win32'));
  assert.ok(!WINDOWS_TRAY_SCRIPT.includes(HOSTILE_NAMES[0]!) && /^[\x20-\x7e]*\n$/.test(hostile), 'names only ever travel as ASCII JSON data');
});

test('Windows: the icons message carries .ico files that `file` recognises', { skip: spawnSync('file', ['--version']).status === 0 ? false : 'file(1) is not installed' }, () => {
  for (const ico of [trayIco(false), trayIco(true)]) {
    const out = spawnSync('file', ['-'], { input: ico }).stdout.toString();
    assert.match(out, /MS Windows icon resource - 4 icons, 16x16, 32 bits\/pixel/);
  }
  assert.notDeepEqual(trayIco(false), trayIco(true), 'the attention icon differs');
});

test('macOS: osascript runs the JXA script given as one -e per line; the text parses as JavaScript', () => {
  const argv = macosTrayArgv();
  assert.deepEqual(argv.slice(0, 3), ['/usr/bin/osascript', '-l', 'JavaScript']);
  const lines = argv.slice(3).filter((_, i) => i % 2 === 1);
  assert.ok(argv.slice(3).every((a, i) => i % 2 === 1 || a === '-e'));
  assert.equal(lines.join('\n'), MACOS_TRAY_SCRIPT);
  assert.doesNotThrow(() => new vm.Script(MACOS_TRAY_SCRIPT, { filename: 'openutm-tray.js' }));
  assert.doesNotMatch(MACOS_TRAY_SCRIPT, /doShellScript|\beval\(|new Function|=>|\blet\b|\bconst\b/, 'no shell, no eval, ES5 only');
  for (const type of HOST_MESSAGE_TYPES.filter((t) => t !== 'activate')) assert.ok(MACOS_TRAY_SCRIPT.includes(`type: '${type}'`), type);
  for (const type of HELPER_MESSAGE_TYPES) assert.ok(MACOS_TRAY_SCRIPT.includes(`message.type === '${type}'`), type);
});

interface LogicUi {
  menus: HelperMessage[];
  icons: string[][];
  quits: number;
}

// The JXA script's trayLogic, run under V8 with a recording UI in place of AppKit.
function jxaLogic() {
  const context = vm.createContext({});
  vm.runInContext(MACOS_TRAY_SCRIPT, context);
  const ui: LogicUi = { menus: [], icons: [], quits: 0 };
  const sent: string[] = [];
  const recorder = {
    setIcons: (a: string, b: string) => ui.icons.push([a, b]),
    setMenu: (m: HelperMessage) => ui.menus.push(JSON.parse(JSON.stringify(m)) as HelperMessage),
    quit: () => ui.quits++,
  };
  // The script's send() writes JSON.stringify(message) + newline to stdout.
  const send = (m: unknown) => sent.push(JSON.stringify(m));
  const logic = (context.trayLogic as (ui: unknown, send: unknown) => { push(c: string): void; clicked(id: string): void; eof(): void })(recorder, send);
  return { logic, ui, sent };
}

test('macOS: the host logic reads menus split anywhere, keeps hostile names intact, and answers in protocol lines', () => {
  const menu = hostileMenu('darwin');
  const stream = encodeHostMessage({ type: 'icons', active: 'QUJD', attention: 'REVG' }) + encodeHostMessage(menu) + encodeHostMessage(menu);
  for (const step of [1, 7, 64, stream.length]) {
    const { logic, ui, sent } = jxaLogic();
    for (let i = 0; i < stream.length; i += step) logic.push(stream.slice(i, i + step));
    assert.deepEqual(ui.icons, [['QUJD', 'REVG']]);
    assert.deepEqual(ui.menus, [menu, menu], `chunks of ${step}`);
    assert.deepEqual(sent, ['{"type":"ready"}'], 'ready once, after the first menu');
  }
  const { logic, ui, sent } = jxaLogic();
  const ids = new Set(menu.type === 'menu' ? menu.items.flatMap((i) => (i.kind === 'item' ? [i.id] : [])) : []);
  logic.push(encodeHostMessage(menu));
  logic.clicked('vm:vm0000');
  logic.push('{"type": not json\n');
  logic.push(encodeHostMessage({ type: 'exit' }));
  logic.eof();
  const parsed = sent.map((line) => parseHostLine(line, ids));
  assert.deepEqual(parsed.map((p) => (p.ok ? p.message.type : p.error)), ['ready', 'click', 'error']);
  assert.deepEqual(parsed[1], { ok: true, message: { type: 'click', id: 'vm:vm0000' } });
  assert.equal(ui.quits, 2, 'exit and end of stdin both remove the item');
});
