// Regression: on a Windows host the engine laid out VM endpoints without loopback ports and threw
// for every VM, so creating or listing one failed before any QEMU ran. The engine runs here with
// hostOs 'win32' (paths are win32-joined onto this host's temp dir, which is all it needs).
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { VmEngine } from '../src/vm-service/vm-engine';
import { lazyHostFacts } from '../src/cli/engine-from-env';
import { cheapVm } from './api/support/api-harness';

test('on Windows a VM that never ran is created, listed, read and deleted; its endpoints reach nothing', async () => {
  const base = await mkdtemp(path.join(os.tmpdir(), 'openutm-win-engine-'));
  const engine = await VmEngine.open({ home: path.join(base, 'home'), runtimeRoot: path.join(base, 'run'), hostOs: 'win32', hostFacts: lazyHostFacts() });
  try {
    const { config, status } = await engine.create(cheapVm('windows host'));
    assert.equal(status.state, 'stopped');
    assert.deepEqual((await engine.list()).map((v) => v.config.id), [config.id]);
    const paths = engine.paths(config.id);
    // QMP on a named pipe of no run: nothing serves it until a start picks a run token.
    assert.deepEqual(paths.qmp, { kind: 'pipe', name: `openutm-${config.id}-stopped-qmp`, path: `\\\\.\\pipe\\openutm-${config.id}-stopped-qmp` });
    assert.deepEqual(paths.spice, { kind: 'tcp', host: '127.0.0.1', port: 0 });
    assert.ok(paths.pidFile.endsWith(`${config.id}\\qemu.pid`), paths.pidFile);
    assert.equal((await engine.get(config.id)).status.state, 'stopped');
    await engine.delete(config.id, config.name);
    assert.deepEqual(await engine.list(), []);
  } finally {
    await engine.close();
    await rm(base, { recursive: true, force: true });
  }
});
