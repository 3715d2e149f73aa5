// `npm run bench` (API part): request round trips through the real helper process with ten test
// guests running, with and without a serial console streaming (`yes` in a guest), same run.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { WebSocket } from 'ws';
import { connectToHelper } from '../src/cli/connect-helper';
import { readFile } from 'node:fs/promises';
import { defaultRuntimeRoot, runtimePathsFor } from '../src/runtime/runtime-paths';
import type { ApiClient } from '../src/api-client/api-client';
import { kernelGuestRequest, REPO_ROOT, testGuest } from '../test/support/test-guest';
import { waitForText } from '../test/support/wait';
import { fmtMs, percentile, report } from './stats';

const GUESTS = 10;
const CALLS = 2000;
const guest = testGuest();
const home = await mkdtemp(path.join(os.tmpdir(), 'openutm-apibench-'));
const port = 20000 + Math.floor(Math.random() * 20000);
const env = { ...process.env, OPENUTM_HOME: home, OPENUTM_PORT: String(port), OPENUTM_ACCEL: 'tcg' };
// The packaged helper, exactly as `openutm` runs it (npm run bench builds it first).
const bundle = path.join(REPO_ROOT, 'helper/dist/openutm.cjs');
const client = await connectToHelper({
  env,
  err: () => undefined,
  helperCommand: { argv: [process.execPath, bundle, 'serve'], cwd: path.dirname(bundle) },
});
const ids: string[] = [];
try {
  for (let i = 0; i < GUESTS; i++) {
    const vm = await client.call('vm.create', kernelGuestRequest(`api-bench-${i}`, { system: { firmware: 'bios', memoryMiB: 192, cpus: 1 } }));
    await client.call('vm.start', { id: vm.config.id });
    ids.push(vm.config.id);
  }
  const runtimeRoot = defaultRuntimeRoot(home);
  await Promise.all(ids.map((id) => waitForText(runtimePathsFor(runtimeRoot, id, 'linux').serialLog, guest.marker, 300_000)));
  const quiet = await roundTrips(client);
  const stream = await streamSerial(client, ids[0]!);
  const busy = await roundTrips(client);
  const streamed = stream.stop();
  report(`API vm.status p50, ${GUESTS} VMs + console`, fmtMs(percentile(busy, 50)), fmtMs(percentile(quiet, 50)), 'informational (baseline: no console)', null);
  report(`API vm.status p99, ${GUESTS} VMs + console`, fmtMs(percentile(busy, 99)), fmtMs(percentile(quiet, 99)), 'informational (baseline: no console)', null);
  process.stdout.write(`      the serial console streamed ${(streamed / 1e6).toFixed(1)} MB during the busy run\n`);
} finally {
  for (const id of ids) await client.call('vm.kill', { id }).catch(() => undefined);
  const lock = JSON.parse(await readFile(path.join(home, '.lock'), 'utf8').catch(() => '{}')) as { pid?: number };
  client.close();
  if (lock.pid) process.kill(lock.pid, 'SIGTERM');
  await new Promise((r) => setTimeout(r, 500));
  await rm(home, { recursive: true, force: true });
}

async function roundTrips(api: ApiClient): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < CALLS; i++) {
    const t = performance.now();
    await api.call('vm.status', { id: ids[i % ids.length]! });
    samples.push(performance.now() - t);
  }
  return samples;
}

// Runs `yes` in the guest and reads its serial console through the helper until stopped.
async function streamSerial(api: ApiClient, id: string): Promise<{ stop(): number }> {
  const { ticket, path: consolePath } = await api.call('console.open', { id, channel: 'serial' });
  const url = `ws://127.0.0.1:${port}${consolePath}?ticket=${encodeURIComponent(ticket)}&channel=serial`;
  const ws = new WebSocket(url, ['binary'], { origin: `http://127.0.0.1:${port}`, perMessageDeflate: false });
  let bytes = 0;
  ws.on('message', (data: Buffer) => {
    bytes += data.length;
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  ws.send(Buffer.from('yes openutm-console-stream\n'));
  await new Promise((r) => setTimeout(r, 1000));
  if (bytes === 0) throw new Error('the serial console streamed nothing');
  return {
    stop() {
      ws.send(Buffer.from('\x03'));
      ws.close();
      return bytes;
    },
  };
}
