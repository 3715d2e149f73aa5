import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { localSocketPath } from './local-socket';

test('POSIX: a file in the directory; Windows: a named pipe tagged with the directory', () => {
  assert.equal(localSocketPath('/tmp/x', 'qmp.sock', 'linux'), '/tmp/x/qmp.sock');
  assert.equal(localSocketPath('/tmp/x', 'qmp.sock', 'darwin'), '/tmp/x/qmp.sock');
  const a = localSocketPath('C:\\Temp\\a', 'qmp.sock', 'win32');
  assert.match(a, /^\\\\\.\\pipe\\openutm-[0-9a-f]{16}-qmp\.sock$/);
  assert.equal(localSocketPath('C:\\Temp\\a', 'qmp.sock', 'win32'), a, 'the same directory and name always meet');
  assert.notEqual(localSocketPath('C:\\Temp\\b', 'qmp.sock', 'win32'), a, 'another directory gets another pipe');
  assert.doesNotMatch(localSocketPath('C:\\Temp\\a', 'x\\..\\y/z', 'win32').slice(9), /[\\/]/, 'no separators inside the pipe name');
});

test('this host can listen and connect on the path it is given', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'openutm-ls-'));
  const where = localSocketPath(dir, 'probe.sock');
  const server = net.createServer((s) => s.end('hi'));
  try {
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(where, resolve));
    const got = await new Promise<string>((resolve, reject) => {
      let text = '';
      net.connect(where).on('data', (d) => (text += d.toString())).on('end', () => resolve(text)).on('error', reject);
    });
    assert.equal(got, 'hi');
  } finally {
    await new Promise((resolve) => server.close(resolve));
    await rm(dir, { recursive: true, force: true });
  }
});
