// `npm run bench` (snapshots): saving and loading a snapshot of a running 512 MiB guest through
// the helper's engine (vm.snapshotSave / vm.snapshotRestore: thumbnail, checks, metadata, progress)
// against the same QMP job commands sent straight to the same QEMU — alternated, same guest, same
// memory content (~400 MiB of random bytes in its RAM, so there is a real memory state to write).
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { VmEngine } from '../src/vm-service/vm-engine';
import { lazyHostFacts } from '../src/cli/engine-from-env';
import { defaultRuntimeRoot } from '../src/runtime/runtime-paths';
import type { QmpClient } from '../src/qmp/qmp-client';
import { kernelGuestRequest, testGuest } from '../test/support/test-guest';
import { typeInGuest } from '../test/support/guest-input';
import { waitForPrompt, waitForText } from '../test/support/wait';
import { fmtMs, median, report } from './stats';

const ROUNDS = Number(process.env.OPENUTM_BENCH_RUNS ?? 7);
const guest = testGuest();
const home = await mkdtemp(path.join(os.tmpdir(), 'openutm-snapbench-'));
const engine = await VmEngine.open({ home, runtimeRoot: defaultRuntimeRoot(home), hostFacts: lazyHostFacts(), acceleratorOverride: 'tcg' });
let id = '';
try {
  id = (await engine.create(kernelGuestRequest('snap-bench', { system: { firmware: 'bios', memoryMiB: 512, cpus: 1 }, disks: [{ sizeMiB: 64, format: 'qcow2' }] }))).config.id;
  await engine.start(id);
  const serial = engine.paths(id).serialLog;
  await waitForPrompt(serial, guest.marker, '# ', 180_000);
  typeInGuest(engine, id, 'dd if=/dev/urandom of=/tmp/fill bs=1M count=400 2>/dev/null; echo filled-$((100+300))');
  await waitForText(serial, 'filled-400', 300_000);
  // The engine's own monitor connection: QEMU takes one QMP client per socket.
  const qmp = (Reflect.get(engine, 'supervisors') as Map<string, { qmp: QmpClient | null }>).get(id)!.qmp!;
  const samples = { helperSave: [] as number[], directSave: [] as number[], helperLoad: [] as number[], directLoad: [] as number[] };
  for (let i = 0; i < ROUNDS; i++) {
    // Who goes first swaps each round: the second save runs while the first one's pages are
    // still being written back, which would favour whoever always went first.
    const pairs = [
      [() => timed(() => engine.snapshots.save(id, `bench-${i}`, '')).then((ms) => samples.helperSave.push(ms)), () => timed(() => directJob(qmp, 'snapshot-save', { tag: `direct-${i}`, vmstate: 'disk0', devices: ['disk0'] }, `ds${i}`)).then((ms) => samples.directSave.push(ms))],
      [() => timed(() => engine.snapshots.restore(id, `bench-${i}`)).then((ms) => samples.helperLoad.push(ms)), () => timed(() => directJob(qmp, 'snapshot-load', { tag: `direct-${i}`, vmstate: 'disk0', devices: ['disk0'] }, `dl${i}`)).then((ms) => samples.directLoad.push(ms))],
    ] as const;
    for (const [helper, direct] of pairs) {
      if (i % 2 === 0) await helper().then(direct);
      else await direct().then(helper);
    }
    // Keep the image from growing round after round.
    await engine.snapshots.remove(id, `bench-${i}`);
    await directJob(qmp, 'snapshot-delete', { tag: `direct-${i}`, devices: ['disk0'] }, `dd${i}`);
  }
  for (const [what, helper, direct] of [
    ['save', samples.helperSave, samples.directSave],
    ['load', samples.helperLoad, samples.directLoad],
  ] as const) {
    const ratio = median(helper) / median(direct);
    report(`snapshot ${what}, 512 MiB guest (helper/QMP)`, `${fmtMs(median(helper))} ×${ratio.toFixed(2)}`, fmtMs(median(direct)), '≤ 1.10×', ratio <= 1.1);
    process.stdout.write(`      helper: ${helper.map((v) => v.toFixed(0)).join(', ')} ms; QMP: ${direct.map((v) => v.toFixed(0)).join(', ')} ms; load ${os.loadavg()[0]!.toFixed(2)}\n`);
  }
} finally {
  if (id) await engine.kill(id).catch(() => undefined);
  await engine.close();
  await rm(home, { recursive: true, force: true });
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await work();
  return performance.now() - t;
}

// The bare protocol: start the job, wait for it to conclude, dismiss it.
async function directJob(qmp: QmpClient, command: string, args: Record<string, unknown>, jobId: string): Promise<void> {
  const concluded = new Promise<void>((resolve) => {
    const off = qmp.onEvent((ev) => {
      if (ev.event === 'JOB_STATUS_CHANGE' && ev.data?.id === jobId && ev.data?.status === 'concluded') {
        off();
        resolve();
      }
    });
  });
  await qmp.execute(command, { 'job-id': jobId, ...args }, { timeoutMs: 600_000 });
  await concluded;
  await qmp.execute('job-dismiss', { id: jobId });
}
