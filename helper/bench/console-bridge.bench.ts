// `npm run bench` (console part): display-direction throughput through the console bridge,
// through websockify on the same socket, through the least a copying relay can do (a C program,
// minimal-relay.c, and its like in Node), and reading the socket directly; the round trip of a small
// frame through the bridge and websockify; the bridge's memory with a reader that stops.
// Every process runs on loopback. The other processes are console-bridge-roles.ts, given a role.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { WebSocket } from 'ws';
import { startBridgeServer, startUnixServer } from '../src/console-bridge/testing/bridge-harness';
import { fmtMs, median, percentile, report } from './stats';
import { build } from 'esbuild';
import { HELPER_BUNDLE_OPTIONS } from '../bundle-options.mjs';
import { processCpuUs, reapedChildrenCpuUs, reapedChildrenCpuUsAfter } from './process-cpu';
import { startWebsockify } from './websockify';
import { startMinimalRelay } from './minimal-relay';
import { FRAME_BYTES, PING_ROUNDS, ROUND_TRIPS, STREAM_BYTES, STREAM_MS, WARMUP_TRIPS, type Result } from './console-bridge-roles';

const RUNS = 7;
const ROLES_SOURCE = fileURLToPath(new URL('./console-bridge-roles.ts', import.meta.url));
// OPENUTM_BENCH_ONLY=rtt (or stream, memory; comma-separated) runs only those parts.
const ONLY = new Set((process.env.OPENUTM_BENCH_ONLY ?? 'stream,rtt,memory').split(',').map((x) => x.trim()));
const MEMORY_BOUND = 16 * 1024 * 1024;
// Pinger runs against each server before the measured ones (see roundTripSection).
const WARMUP_RUNS = 3;
// Node flags of every reader and pinger. A reader in Node allocates a fresh 64 KiB buffer for
// each socket read; with V8's default young generation those buffers alone set off collections
// that made one reader's cost per byte swing 3–5× from run to run (a direct read at 0.4 or at
// 2 GB/s, on a CPU kept busy either way). A larger young generation keeps every reader steady,
// the baselines' and the bridge's alike.
const READER_NODE_FLAGS = ['--max-semi-space-size=64'];
// And glibc's: a direct read swung between ~2.5 GB/s and under 1 GB/s from run to run because
// freeing those buffers now and then left enough free memory at the top of the heap for glibc to
// hand it back to the kernel (brk), and the next reads faulted it in again (one slow run: 82663
// page faults and 1728 brk calls, against ~12500 and ~200 in the others). Readers keep their heap.
// Setting the trim threshold alone also fixes glibc's mmap threshold at 128 KiB, and then every
// larger frame ws puts together (the bridge's are ~220 KiB) is a fresh mmap: the threshold is set
// to its largest too, which glibc's own adjustment would reach. The same for every reader; the
// bridge reads into its own pooled buffers and runs without either, as the helper does.
const READER_ENV = { ...process.env, MALLOC_TRIM_THRESHOLD_: String(1024 ** 3), MALLOC_MMAP_THRESHOLD_: String(32 * 1024 ** 2) };
// Every other process runs this bundle of console-bridge-roles.ts (see main).
let rolesBundle = '';

await main();

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'openutm-cbench-'));
  const children: ChildProcess[] = [];
  // Built as the helper's bundle is, so the bridge runs as it does in the helper: plain Node, one
  // CommonJS file, no TypeScript loader thread (whose collections took CPU from the trips).
  rolesBundle = path.join(dir, 'roles.cjs');
  await build({ ...HELPER_BUNDLE_OPTIONS, entryPoints: [ROLES_SOURCE], outfile: rolesBundle });
  // websockify does not watch its stdin; make sure it goes even if this process dies early.
  process.on('exit', () => children.forEach((c) => c.kill('SIGTERM')));
  try {
    if (ONLY.has('stream')) await streamSection(dir, children);
    if (ONLY.has('rtt')) await roundTripSection(dir, children);
    if (ONLY.has('memory')) {
      const held = await stalledReaderMemory();
      report('bridge bytes held, reader stopped (peak)', `${(held.peak / 1024 / 1024).toFixed(2)} MiB`, `${(held.pushed / 1024 / 1024).toFixed(0)} MiB sent`, '≤ 16 MiB per connection', held.peak <= MEMORY_BOUND);
    }
  } finally {
    for (const c of children) c.kill('SIGTERM');
    await rm(dir, { recursive: true, force: true });
  }
}

// Display-direction throughput: the bridge, websockify and a direct read of the same source.
async function streamSection(dir: string, children: ChildProcess[]): Promise<void> {
  const streamSock = path.join(dir, 'stream.sock');
  children.push((await child('source', streamSock)).proc);
  const bridge = await child('bridge', streamSock);
  const nodeRelay = await child('minimal-node-relay', streamSock);
  const wsify = await startWebsockify(streamSock);
  const relay = await startMinimalRelay(dir, streamSock);
  // Every relay by URL; websockify and the C relay fork a child per connection, whose CPU time
  // shows in the parent's once the child is reaped.
  const servers = new Map<string, { proc: ChildProcess; forks: boolean }>([
    [bridge.url, { proc: bridge.proc, forks: false }],
    [nodeRelay.url, { proc: nodeRelay.proc, forks: false }],
    [wsify.url, { proc: wsify.process, forks: true }],
  ]);
  if ('missing' in relay) process.stdout.write(`      no minimal C relay to compare with: ${relay.missing}\n`);
  else servers.set(relay.url, { proc: relay.process, forks: true });
  for (const { proc } of servers.values()) children.push(proc);

  // Two browser stand-ins, each paired with the direct read that reads the way it does: the ws
  // library (Node's own reads, a fresh buffer each; parses in JS, copies each frame together)
  // against a direct read with Node's own reads, the baseline the targets are set on; and a lean
  // reader (one reused read buffer, walks frame headers, copies nothing), as cheap as a browser's
  // native WebSocket gets, against a direct read into one reused buffer.
  const runs: Record<string, number[]> = {};
  // CPU µs per MB relayed, for each relay.
  const cpuPerMb: Record<string, number[]> = {};
  // CPU µs per MB read, for the reader itself: which end of a path is the one that is full.
  const readerCpuPerMb: Record<string, number[]> = {};
  const run = async (name: string, reader: string, target: string): Promise<void> => {
    const server = servers.get(target);
    const pid = server?.proc.pid ?? -1;
    const before = server === undefined ? -1 : server.forks ? reapedChildrenCpuUs(pid) : processCpuUs(pid);
    const result = await childResult(reader, target);
    (runs[name] ??= []).push(mbps(result));
    (readerCpuPerMb[name] ??= []).push((result.cpuMs * 1000) / (result.bytes / 1e6));
    if (server === undefined || before < 0) return;
    const after = server.forks ? await reapedChildrenCpuUsAfter(pid, before) : processCpuUs(pid);
    (cpuPerMb[name] ??= []).push((after - before) / (result.bytes / 1e6));
  };
  for (let i = 0; i < RUNS; i++) {
    await run('bridge', 'ws-reader', bridge.url);
    await run('websockify', 'ws-reader', wsify.url);
    if (!('missing' in relay)) await run('minimal C relay', 'ws-reader', relay.url);
    await run('minimal Node relay', 'ws-reader', nodeRelay.url);
    await run('direct', 'unix-reader', streamSock);
    await run('direct, one reused buffer', 'pooled-unix-reader', streamSock);
    await run('bridge, lean reader', 'lean-reader', bridge.url);
    await run('websockify, lean reader', 'lean-reader', wsify.url);
  }
  const m = (name: string): number => median(runs[name]!);
  // Each target check takes the median of per-round ratios: the runs of one round follow each
  // other within seconds, and this machine's speed can drift between rounds, which the medians of
  // separate runs carry.
  const ratio = (a: string, b: string): number => median(runs[a]!.map((x, i) => x / runs[b]![i]!));
  const fmt = (x: number): string => `${x.toFixed(0)} MB/s`;
  process.stdout.write(`      display stream, ${RUNS} rounds of ≤ ${STREAM_MS / 1000} s / ${STREAM_BYTES / 1024 ** 3} GiB each, medians reported:\n`);
  for (const [name, values] of Object.entries(runs)) process.stdout.write(`        ${name.padEnd(26)} ${values.map(fmt).join(', ')}\n`);
  // Three places: a ratio a hair under its target must not print as the target itself.
  const x = (r: number): string => `${r.toFixed(3)}×`;
  // The targets (≥ 1.0× websockify, ≥ 0.5× a direct read) are set on Node's own reads;
  // the lean pair has no target against its direct read, which no relay of two copies comes near.
  const checks: Array<[string, string, string, number | null]> = [
    ['display stream: bridge vs websockify', 'bridge', 'websockify', 1.0],
    ['display stream: bridge vs direct read', 'bridge', 'direct', 0.5],
    ['lean reader: bridge vs websockify', 'bridge, lean reader', 'websockify, lean reader', 1.0],
    ['lean reader: bridge vs direct, reused buffer', 'bridge, lean reader', 'direct, one reused buffer', null],
    // How far a relay that copies through user space gets on this machine at all, one in Node, and
    // how near the bridge comes to each.
    ['floor: minimal C relay vs direct read', 'minimal C relay', 'direct', null],
    ['floor: minimal Node relay vs minimal C relay', 'minimal Node relay', 'minimal C relay', null],
    ['display stream: bridge vs minimal Node relay', 'bridge', 'minimal Node relay', null],
    ['display stream: bridge vs minimal C relay', 'bridge', 'minimal C relay', null],
  ];
  for (const [label, a, b, target] of checks) {
    if (!runs[a] || !runs[b]) continue;
    const r = ratio(a, b);
    const against = b.replace(', lean reader', '').replace(', one reused buffer', ' read');
    const goal = target === null ? 'informational' : `≥ ${target.toFixed(1)}× ${against}`;
    report(label, x(r), fmt(m(b)), `${goal} (median of per-round ratios; ${a.replace(', lean reader', '')} ${fmt(m(a))})`, target === null ? null : r >= target);
  }
  const cpu = (of: Record<string, number[]>, name: string): string => (of[name] ? `${median(of[name]).toFixed(0)} µs/MB` : 'n/a');
  report('  server CPU per MB relayed (ws reader)', cpu(cpuPerMb, 'bridge'), cpu(cpuPerMb, 'websockify'), 'informational', null);
  report('  minimal Node relay CPU per MB (ws reader)', cpu(cpuPerMb, 'minimal Node relay'), cpu(cpuPerMb, 'bridge'), 'informational (baseline: the bridge)', null);
  if (cpuPerMb['minimal C relay']) report('  minimal C relay CPU per MB (ws reader)', cpu(cpuPerMb, 'minimal C relay'), cpu(cpuPerMb, 'bridge'), 'informational (baseline: the bridge)', null);
  report('  server CPU per MB relayed (lean reader)', cpu(cpuPerMb, 'bridge, lean reader'), cpu(cpuPerMb, 'websockify, lean reader'), 'informational', null);
  report('  reader CPU per MB: ws reader via bridge', cpu(readerCpuPerMb, 'bridge'), cpu(readerCpuPerMb, 'websockify'), 'informational (baseline: via websockify)', null);
  report('  reader CPU per MB: lean reader via bridge', cpu(readerCpuPerMb, 'bridge, lean reader'), cpu(readerCpuPerMb, 'websockify, lean reader'), 'informational (baseline: via websockify)', null);
  report('  reader CPU per MB: direct read', cpu(readerCpuPerMb, 'direct'), cpu(readerCpuPerMb, 'direct, one reused buffer'), 'informational (baseline: into one reused buffer)', null);
  for (const { proc } of servers.values()) proc.kill('SIGTERM');
}

// The round trip of one small frame (input → echo → screen) through the bridge and websockify:
// the same pinger program, the same echo server, the same frames. One pinger holds a connection to
// each and alternates its trips between them (paired trips; the target), and separate pinger runs
// against each, interleaved; and what each server spends on the CPU per trip.
async function roundTripSection(dir: string, children: ChildProcess[]): Promise<void> {
  const echoSock = path.join(dir, 'echo.sock');
  children.push((await child('echo', echoSock)).proc);
  const echoBridge = await child('bridge', echoSock);
  children.push(echoBridge.proc);
  const echoWsify = await startWebsockify(echoSock);
  children.push(echoWsify.process);
  const viaBridge: number[] = [];
  const viaWsify: number[] = [];
  let [bridgeCpuUs, wsifyCpuUs] = [0, 0];
  const wsifyPid = echoWsify.process.pid!;
  const ping = async (url: string, into: number[]): Promise<void> => {
    const [own, reaped] = [processCpuUs(echoBridge.proc.pid!), reapedChildrenCpuUs(wsifyPid)];
    into.push(...(await childResult<{ rtts: number[][] }>('pinger', url)).rtts[0]!);
    if (url === echoBridge.url) bridgeCpuUs += processCpuUs(echoBridge.proc.pid!) - own;
    else wsifyCpuUs += (await reapedChildrenCpuUsAfter(wsifyPid, reaped)) - reaped;
  };
  // Unmeasured runs first, the same for both: over the bridge's first few connections V8 compiles
  // its hot paths and then deoptimizes Node's stream code again as it meets a second kind of
  // socket (TCP and unix), each a stall of a millisecond or more. A helper that has served the API
  // and a console or two has long done this, so the target is set on the runs after; the first
  // run of each is printed too.
  const cold = { bridge: [] as number[], wsify: [] as number[] };
  for (let i = 0; i < WARMUP_RUNS; i++) {
    const [b, w] = [(await childResult<{ rtts: number[][] }>('pinger', echoBridge.url)).rtts[0]!, (await childResult<{ rtts: number[][] }>('pinger', echoWsify.url)).rtts[0]!];
    if (i === 0) [cold.bridge, cold.wsify] = [b, w];
  }
  for (let i = 0; i < PING_ROUNDS; i++) {
    if (i % 2 === 0) {
      await ping(echoBridge.url, viaBridge);
      await ping(echoWsify.url, viaWsify);
    } else {
      await ping(echoWsify.url, viaWsify);
      await ping(echoBridge.url, viaBridge);
    }
  }
  const [altBridge, altWsify] = (await childResult<{ rtts: number[][] }>('pinger', `${echoBridge.url} ${echoWsify.url}`)).rtts;
  if (process.env.OPENUTM_BENCH_TAIL) {
    for (const p of [50, 90, 95, 98, 99, 99.5, 99.9]) {
      const row = [viaBridge, viaWsify, altBridge!, altWsify!].map((x) => fmtMs(percentile(x, p)).padStart(8));
      process.stdout.write(`        p${String(p).padEnd(4)} separate: bridge ${row[0]}  websockify ${row[1]}   paired: bridge ${row[2]}  websockify ${row[3]}\n`);
    }
  }
  // The target is checked on the paired trips: each bridge trip sits between two websockify trips
  // of the same client, so load from outside the bench and the pinger's own pauses fall on both
  // alike, and each connection lives for all 8000 trips, as a console's does. In the separate runs
  // every 1000 trips come from a fresh pinger, whose own stalls (at the same trip numbers in every
  // run, for both servers) set the tail; and trips follow each other with no gap, so a collection
  // in the bridge always lands on one, where a person's keys and clicks leave it the gaps between.
  const trips = `${PING_ROUNDS * ROUND_TRIPS}`;
  const [bp99, wp99] = [percentile(altBridge!, 99), percentile(altWsify!, 99)];
  report(`${FRAME_BYTES}-byte round trip p50, ${trips} paired`, fmtMs(percentile(altBridge!, 50)), fmtMs(percentile(altWsify!, 50)), 'informational (vs websockify)', null);
  report(`${FRAME_BYTES}-byte round trip p99, ${trips} paired`, fmtMs(bp99), fmtMs(wp99), 'p99 ≤ websockify', bp99 <= wp99);
  report(`  same, separate runs of ${ROUND_TRIPS}, p50`, fmtMs(percentile(viaBridge, 50)), fmtMs(percentile(viaWsify, 50)), 'informational', null);
  report(`  same, separate runs of ${ROUND_TRIPS}, p99`, fmtMs(percentile(viaBridge, 99)), fmtMs(percentile(viaWsify, 99)), 'informational', null);
  report(`  same, first connection of each (cold), p99`, fmtMs(percentile(cold.bridge, 99)), fmtMs(percentile(cold.wsify, 99)), 'informational', null);
  const perTrip = (us: number): string => `${(us / PING_ROUNDS / (WARMUP_TRIPS + ROUND_TRIPS)).toFixed(0)} µs`;
  if (reapedChildrenCpuUs(wsifyPid) >= 0) report('  server CPU per round trip (incl. connect)', perTrip(bridgeCpuUs), perTrip(wsifyCpuUs), 'informational', null);
  echoBridge.proc.kill('SIGTERM');
  echoWsify.process.kill('SIGTERM');
}

// A VM that pushes without end to a browser that stopped reading: what the bridge holds, at peak,
// while the source keeps trying for a couple of seconds.
async function stalledReaderMemory(): Promise<{ peak: number; pushed: number }> {
  const chunk = Buffer.alloc(256 * 1024, 7);
  let pushed = 0;
  const unix = await startUnixServer((socket) => {
    const pump = (): void => {
      while (!socket.destroyed) {
        pushed += chunk.length;
        if (!socket.write(chunk)) return;
      }
    };
    socket.on('drain', pump);
    pump();
  });
  const bridge = await startBridgeServer(unix.endpoint);
  try {
    const next = bridge.nextBridge();
    const ws = new WebSocket(bridge.url, ['binary'], { perMessageDeflate: false });
    ws.on('error', () => undefined);
    await once(ws, 'open');
    ws.pause();
    const handle = await next;
    let peak = 0;
    const until = performance.now() + 2_000;
    while (performance.now() < until) {
      const s = handle.stats();
      peak = Math.max(peak, s.toClientQueued + s.vmReadBuffers + s.toVmQueued);
      await sleep(5);
    }
    ws.terminate();
    return { peak, pushed };
  } finally {
    await bridge.close();
    await unix.close();
  }
}

function mbps(r: Result): number {
  return r.bytes / 1e6 / (r.ms / 1000);
}

// A long-lived child (source, echo server or bridge); resolves once it says it listens, with the
// rest of its ready line (the bridge's URL).
async function child(name: string, arg: string): Promise<{ proc: ChildProcess; url: string }> {
  const proc = spawn(process.execPath, [rolesBundle, name, arg], { stdio: ['pipe', 'pipe', 'inherit'] });
  const [line] = (await once(proc.stdout!, 'data')) as [Buffer];
  const ready = /^ready ?(\S*)/.exec(line.toString());
  if (!ready) throw new Error(`${name} did not start: ${line.toString()}`);
  return { proc, url: ready[1]! };
}

// A one-shot child (reader or pinger); resolves with the JSON it prints.
async function childResult<T = Result>(name: string, arg: string): Promise<T> {
  const proc = spawn(process.execPath, [...READER_NODE_FLAGS, rolesBundle, name, arg], { stdio: ['pipe', 'pipe', 'inherit'], env: READER_ENV });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  const [code] = (await once(proc, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`${name} ${arg} exited with ${code}: ${out}`);
  return JSON.parse(out) as T;
}
