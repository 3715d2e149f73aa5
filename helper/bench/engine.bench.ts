// `npm run bench` (engine part): start latency against a bare QEMU launch, status round trips with
// ten guests running, and the helper's memory with ten VMs — each next to a baseline from this run.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { performance } from 'node:perf_hooks';
import { VmEngine } from '../src/vm-service/vm-engine';
import { lazyHostFacts } from '../src/cli/engine-from-env';
import { defaultRuntimeRoot } from '../src/runtime/runtime-paths';
import { prepareLaunch } from '../src/vm-service/prepare-launch';
import { vmFolder } from '../src/vm-library/library-paths';
import { launchQemu } from '../src/qemu-process/launch';
import { QmpClient } from '../src/qmp/qmp-client';
import { kernelGuestRequest, testGuest, REPO_ROOT } from '../test/support/test-guest';
import { freePort } from '../test/support/free-port';
import { waitForText } from '../test/support/wait';
import { fmtMs, median, percentile, report } from './stats';

const START_RUNS = 7;
const GUESTS = 10;
const STATUS_CALLS = 2000;

const guest = testGuest();
const facts = lazyHostFacts();
const home = await mkdtemp(path.join(os.tmpdir(), 'openutm-bench-'));
const runtimeRoot = defaultRuntimeRoot(home);
const open = () => VmEngine.open({ home, runtimeRoot, hostFacts: facts, acceleratorOverride: 'tcg' });

const request = (name: string) => kernelGuestRequest(name, { system: { firmware: 'bios', memoryMiB: 192, cpus: 1 } });

let engine = await open();
try {
  await startLatency(engine);
  const ids = await bootGuests(engine);
  await statusRoundTrips(engine, ids);
  await engine.close();
  await helperMemory(ids.length);
} finally {
  // No guest outlives the bench, whichever step failed.
  await engine.close().catch(() => undefined);
  engine = await open();
  await Promise.all((await engine.list()).map(({ config }) => engine.kill(config.id).catch(() => undefined)));
  await engine.close();
  await rm(home, { recursive: true, force: true });
}

// Engine start → QMP running, against the same argument array launched and continued by hand.
async function startLatency(engine: VmEngine): Promise<void> {
  const { config } = await engine.create(request('bench-start'));
  const paths = engine.paths(config.id);
  const plan = await prepareLaunch({
    config,
    facts: await facts(),
    paths,
    vmFolder: vmFolder(engine.library.root, config.id),
    guard: engine.catalog.guard(config.id),
    acceleratorOverride: 'tcg',
  });
  const viaEngine: number[] = [];
  const direct: number[] = [];
  for (let i = 0; i < START_RUNS; i++) {
    let t = performance.now();
    await engine.start(config.id);
    viaEngine.push(performance.now() - t);
    await engine.kill(config.id);

    await rm(paths.dir, { recursive: true, force: true });
    await mkdir(paths.dir, { recursive: true, mode: 0o700 });
    t = performance.now();
    await launchQemu({ binary: plan.binary, args: plan.args, logFile: paths.qemuLog });
    const qmp = await QmpClient.connect(paths.qmp, { retry: true });
    await qmp.execute('cont');
    const { running } = await qmp.queryStatus();
    direct.push(performance.now() - t);
    if (!running) throw new Error('the directly launched QEMU is not running');
    await qmp.quit();
    await rm(paths.dir, { recursive: true, force: true });
  }
  const ratio = median(viaEngine) / median(direct);
  report('start → running (median of 7)', fmtMs(median(viaEngine)), fmtMs(median(direct)), '≤ 1.10× direct', ratio <= 1.1);
  process.stdout.write(`      ratio ${ratio.toFixed(3)}×  (engine runs: ${viaEngine.map((v) => v.toFixed(0)).join(', ')} ms)\n`);
}

async function bootGuests(engine: VmEngine): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < GUESTS; i++) {
    const { config } = await engine.create(request(`bench-${i}`));
    await engine.start(config.id);
    ids.push(config.id);
  }
  await Promise.all(ids.map((id) => waitForText(engine.paths(id).serialLog, guest.marker, 300_000)));
  process.stdout.write(`      ${GUESTS} test guests booted to their shell\n`);
  return ids;
}

// engine.status does a live query-status; the baseline is the same QMP call without the engine.
async function statusRoundTrips(engine: VmEngine, ids: string[]): Promise<void> {
  const viaEngine: number[] = [];
  const viaQmp: number[] = [];
  for (let i = 0; i < STATUS_CALLS; i++) {
    const id = ids[i % ids.length]!;
    let t = performance.now();
    await engine.status(id);
    viaEngine.push(performance.now() - t);
    t = performance.now();
    await engine.queryStatus(id);
    viaQmp.push(performance.now() - t);
  }
  const p99 = percentile(viaEngine, 99);
  report(`status round trip p50, ${GUESTS} guests`, fmtMs(percentile(viaEngine, 50)), fmtMs(percentile(viaQmp, 50)), 'informational', null);
  report(`status round trip p99, ${GUESTS} guests`, fmtMs(p99), fmtMs(percentile(viaQmp, 99)), 'p99 ≤ 10 ms', p99 <= 10);
}

// The packaged helper re-attaches to the running VMs; its RSS against an idle Node process.
async function helperMemory(vmCount: number): Promise<void> {
  const bundle = path.join(REPO_ROOT, 'helper/dist/openutm.cjs');
  const port = await freePort();
  const helper = spawn(process.execPath, [bundle, 'serve'], { env: { ...process.env, OPENUTM_HOME: home, OPENUTM_PORT: String(port) }, stdio: ['ignore', 'pipe', 'inherit'] });
  const idle = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1e6)'], { stdio: 'ignore' });
  try {
    await new Promise<void>((resolve, reject) => {
      const rl = createInterface({ input: helper.stdout! });
      rl.on('line', (line) => {
        if (line.includes('owns')) {
          if (!line.includes(`${vmCount} running`)) reject(new Error(`the helper did not re-attach to all VMs: ${line}`));
          resolve();
        }
      });
      helper.once('exit', (code) => reject(new Error(`the helper exited with ${code}`)));
    });
    await new Promise((r) => setTimeout(r, 2000));
    const rss = await rssMiB(helper.pid!);
    const base = await rssMiB(idle.pid!);
    // VmRSS is in KiB, so these are MiB: the unit ps, top and the "60 MB" mean.
    report(`helper RSS with ${vmCount} VMs`, `${rss.toFixed(1)} MiB`, `${base.toFixed(1)} MiB`, '≤ 60 MiB (baseline: idle node)', rss <= 60);
  } finally {
    idle.kill();
    helper.kill('SIGTERM');
    await new Promise((r) => helper.once('exit', r));
  }
}

async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
  return kb / 1024;
}
