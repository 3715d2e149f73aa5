import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NO_RUN, newPipeRun, pipeEndpoint, pipeName } from './pipe-names';

test('pipe names: openutm-<vm>-<run>-<channel>, only [a-z0-9-], under \\\\.\\pipe\\', () => {
  const run = newPipeRun();
  assert.match(run, /^[0-9a-f]{32}$/);
  assert.notEqual(newPipeRun(), run, 'every start gets its own token');
  assert.equal(pipeName('k3v5abcd2xyz', run, 'qmp'), `openutm-k3v5abcd2xyz-${run}-qmp`);
  const ep = pipeEndpoint('k3v5abcd2xyz', run, 'serial');
  assert.deepEqual(ep, { kind: 'pipe', name: `openutm-k3v5abcd2xyz-${run}-serial`, path: `\\\\.\\pipe\\openutm-k3v5abcd2xyz-${run}-serial` });
  assert.match(ep.name, /^[a-z0-9-]+$/);
  assert.equal(pipeName('vm1', NO_RUN, 'qmp'), 'openutm-vm1-stopped-qmp');
});

test('pipe names refuse any part that could smuggle a separator, a comma or another pipe\'s name', () => {
  for (const hostile of ['', 'a,b', 'a\\b', 'a/b', '..', 'A', 'a-b', 'a b', 'ü', 'a\nb', 'x'.repeat(65)]) {
    assert.throws(() => pipeName(hostile, 'ab12', 'qmp'), /VM id/, JSON.stringify(hostile));
    assert.throws(() => pipeName('vm1', hostile, 'serial'), /run token/, JSON.stringify(hostile));
  }
});
