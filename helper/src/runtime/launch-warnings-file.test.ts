import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { readLaunchWarnings, writeLaunchWarnings } from './launch-warnings-file';

test('launch warnings survive a round trip through their file, owner-only', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'openutm-warn-'));
  try {
    const file = path.join(dir, 'launch-warnings.json');
    const warnings = ['TCG: emulated, slow', 'a "quoted", unicode ✓ warning\nwith a newline'];
    await writeLaunchWarnings(file, warnings);
    assert.deepEqual(await readLaunchWarnings(file), warnings);
    if (process.platform !== 'win32') assert.equal((await stat(file)).mode & 0o777, 0o600);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a missing, corrupt or foreign warnings file reads as no warnings', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'openutm-warn-'));
  try {
    const file = path.join(dir, 'launch-warnings.json');
    assert.deepEqual(await readLaunchWarnings(file), [], 'missing');
    for (const text of ['{"not": "a list"}', '["ok", 3]', '[', JSON.stringify(Array.from({ length: 51 }, () => 'x')), JSON.stringify(['x'.repeat(2_001)])]) {
      await writeFile(file, text);
      assert.deepEqual(await readLaunchWarnings(file), [], text.slice(0, 40));
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
