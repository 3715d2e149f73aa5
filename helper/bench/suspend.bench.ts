// `npm run bench` (suspend part): suspend → resumed and running through the engine, against the
// same guest saved and restored by a bare QEMU (`migrate exec:cat > file`, then `-incoming
// exec:cat file`) in the same run. The engine syncs the state to disk before QEMU quits (a host
// that loses power must not come back with a torn state); `cat` does not, so the bare run also
// times an fsync of its file, and both baselines are printed: with it (like for like, the target)
// and without it.
import { mkdir, mkdtemp, open, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { VmEngine } from '../src/vm-service/vm-engine';
import { lazyHostFacts } from '../src/cli/engine-from-env';
import { defaultRuntimeRoot, type RuntimePaths } from '../src/runtime/runtime-paths';
import { prepareLaunch } from '../src/vm-service/prepare-launch';
import { vmFolder } from '../src/vm-library/library-paths';
import { launchQemu, readPidFile } from '../src/qemu-process/launch';
import { QmpClient } from '../src/qmp/qmp-client';
import { UNLIMITED_BANDWIDTH, enableMigrationEvents, migrationOutcome } from '../src/vm-service/migration-watch';
import { waitForExit } from '../src/qemu-process/process-control';
import { kernelGuestRequest, testGuest } from '../test/support/test-guest';
import { waitForText } from '../test/support/wait';
import { fmtMs, median, report } from './stats';

const RUNS = Number(process.env.OPENUTM_BENCH_RUNS ?? 5);
const guest = testGuest();
const facts = lazyHostFacts();
const home = await mkdtemp(path.join(os.tmpdir(), 'openutm-suspendbench-'));
const engine = await VmEngine.open({ home, runtimeRoot: defaultRuntimeRoot(home), hostFacts: facts, acceleratorOverride: 'tcg' });
const request = (name: string) => kernelGuestRequest(name, { system: { firmware: 'bios', memoryMiB: 256, cpus: 1 } });
let bare: QmpClient | null = null;
try {
  const { config } = await engine.create(request('bench-suspend'));
  const id = config.id;
  await engine.start(id);
  await waitForText(engine.paths(id).serialLog, guest.marker, 300_000);

  // The bare QEMU: the same command line, minus the sandbox that forbids `exec:`.
  const other = (await engine.create(request('bench-bare'))).config;
  const paths = engine.paths(other.id);
  const plan = await prepareLaunch({ config: other, facts: await facts(), paths, vmFolder: vmFolder(home, other.id), guard: engine.catalog.guard(other.id), acceleratorOverride: 'tcg' });
  const args = withoutSandbox(plan.args);
  const stateFile = path.join(home, 'bare.state');
  bare = await launchBare(plan.binary, args, paths);
  await bare.execute('cont');
  await waitForText(paths.serialQemuLog, guest.marker, 300_000);

  const viaEngine: number[] = [];
  const durable: number[] = [];
  const direct: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    let t = performance.now();
    await engine.suspend(id);
    const back = await engine.start(id);
    viaEngine.push(performance.now() - t);
    if (back.state !== 'running') throw new Error(`the engine's VM is ${back.state} after resuming`);

    t = performance.now();
    const run = await bareSuspendResume(bare, plan.binary, args, paths, stateFile);
    bare = run.qmp;
    durable.push(performance.now() - t);
    direct.push(performance.now() - t - run.fsyncMs);
  }
  const ratio = median(viaEngine) / median(durable);
  const loose = median(viaEngine) / median(direct);
  const ms = (xs: number[]) => xs.map((v) => v.toFixed(0)).join(', ');
  report(`suspend → resumed and running (median of ${RUNS})`, fmtMs(median(viaEngine)), fmtMs(median(durable)), '≤ 1.15× bare QEMU + fsync', ratio <= 1.15);
  report('  the same against bare QEMU without fsync', fmtMs(median(viaEngine)), fmtMs(median(direct)), '(no target: cat leaves the state in the page cache)', null);
  process.stdout.write(`      ratio ${ratio.toFixed(3)}× (${loose.toFixed(3)}× without fsync)  engine: ${ms(viaEngine)} ms; bare + fsync: ${ms(durable)} ms; bare: ${ms(direct)} ms; load ${os.loadavg()[0]!.toFixed(2)}\n`);
} finally {
  await bare?.execute('quit').catch(() => undefined);
  for (const { config, status } of await engine.list()) if (status.pid !== null) await engine.kill(config.id).catch(() => undefined);
  await engine.close();
  await rm(home, { recursive: true, force: true });
}

function withoutSandbox(args: readonly string[]): string[] {
  const at = args.indexOf('-sandbox');
  return at < 0 ? [...args] : [...args.slice(0, at), ...args.slice(at + 2)];
}

async function launchBare(binary: string, args: string[], paths: RuntimePaths): Promise<QmpClient> {
  await rm(paths.dir, { recursive: true, force: true });
  await mkdir(paths.dir, { recursive: true, mode: 0o700 });
  await launchQemu({ binary, args, logFile: paths.qemuLog });
  return QmpClient.connect(paths.qmp, { retry: true, timeoutMs: 30_000 });
}

// What a person would do with QEMU alone: pause, migrate into a file through `cat`, quit; start
// it again taking the file, continue. fsyncMs: how long making the file durable took.
async function bareSuspendResume(qmp: QmpClient, binary: string, args: string[], paths: RuntimePaths, file: string): Promise<{ qmp: QmpClient; fsyncMs: number }> {
  await enableMigrationEvents(qmp);
  await qmp.execute('migrate-set-parameters', { 'max-bandwidth': UNLIMITED_BANDWIDTH });
  await qmp.execute('stop');
  await qmp.execute('migrate', { uri: `exec:cat > '${file}'` });
  const saved = await migrationOutcome(qmp);
  if (saved.status !== 'completed') throw new Error(`the bare save ${saved.status}: ${saved['error-desc'] ?? ''}`);
  const t = performance.now();
  const handle = await open(file, 'r');
  await handle.sync();
  await handle.close();
  const fsyncMs = performance.now() - t;
  // QEMU removes its pid file as it exits: read it first.
  const pid = await readPidFile(paths.pidFile);
  await qmp.execute('quit').catch(() => undefined);
  if (pid !== null) await waitForExit(pid);
  const next = await launchBare(binary, [...args, '-incoming', 'defer'], paths);
  await enableMigrationEvents(next);
  await next.execute('migrate-incoming', { uri: `exec:cat '${file}'` });
  const loaded = await migrationOutcome(next);
  if (loaded.status !== 'completed') throw new Error(`the bare restore ${loaded.status}`);
  await next.execute('cont');
  const { running } = await next.queryStatus();
  if (!running) throw new Error('the bare QEMU is not running after its restore');
  await rm(file, { force: true });
  return { qmp: next, fsyncMs };
}
