import { test } from 'node:test';
import assert from 'node:assert/strict';
import { browserCommand } from './open-browser';

const URL = 'http://127.0.0.1:47320/pair#code=K7QM2XPD';

// Each OS's way to open the default browser; the URL is one argument, never shell text.
const cases: Array<[string, Parameters<typeof browserCommand>[1], Record<string, string>, ReturnType<typeof browserCommand>]> = [
  ['macOS', 'darwin', {}, { file: 'open', args: [URL] }],
  ['Windows', 'win32', {}, { file: 'rundll32.exe', args: ['url.dll,FileProtocolHandler', URL] }],
  ['Linux with X11', 'linux', { DISPLAY: ':0' }, { file: 'xdg-open', args: [URL] }],
  ['Linux with Wayland', 'linux', { WAYLAND_DISPLAY: 'wayland-0' }, { file: 'xdg-open', args: [URL] }],
];
for (const [name, os, env, expected] of cases) {
  test(`${name}: ${JSON.stringify(expected)}`, () => {
    assert.deepEqual(browserCommand(URL, os, env), expected);
  });
}

test('Linux without a display (SSH, a server) does not try, and says why', () => {
  const command = browserCommand(URL, 'linux', { DISPLAY: '', SSH_CONNECTION: '1 2 3 4' });
  assert.ok('skip' in command);
  assert.match(command.skip, /DISPLAY/);
});
