import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { connectEndpoint } from '../../console-bridge/connect-endpoint';
import { listenLocal, listenOn, vacantEndpoint } from './local-endpoint';

test('a stand-in listens where the helper would reach QEMU on this host, and is reached there', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'openutm-le-'));
  const server = net.createServer((s) => s.end('hi'));
  try {
    const endpoint = await listenLocal(server, dir, 'probe.sock');
    assert.equal(endpoint.kind, process.platform === 'win32' ? 'tcp' : 'unix');
    const socket = await connectEndpoint(endpoint);
    let text = '';
    for await (const chunk of socket) text += String(chunk);
    assert.equal(text, 'hi');
  } finally {
    await new Promise((resolve) => server.close(resolve));
    await rm(dir, { recursive: true, force: true });
  }
});

test('a vacant endpoint refuses until something listens on it', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'openutm-le-'));
  const server = net.createServer((s) => s.end());
  try {
    const endpoint = await vacantEndpoint(dir, 'later.sock');
    await assert.rejects(connectEndpoint(endpoint), { code: 'QEMU_FAILED' });
    await listenOn(server, endpoint);
    (await connectEndpoint(endpoint)).destroy();
  } finally {
    await new Promise((resolve) => server.close(resolve));
    await rm(dir, { recursive: true, force: true });
  }
});

test('on Windows both are loopback TCP (tables for the host this does not run on)', async () => {
  const server = net.createServer();
  try {
    assert.deepEqual(Object.keys(await listenLocal(server, 'C:\\x', 'a.sock', 'win32')).sort(), ['host', 'kind', 'port']);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
  const vacant = await vacantEndpoint('C:\\x', 'a.sock', 'win32');
  assert.equal(vacant.kind, 'tcp');
  assert.deepEqual(await vacantEndpoint('/run/x', 'a.sock', 'linux'), { kind: 'unix', path: '/run/x/a.sock' });
});
