// `npm run bench` (single executable): what a person downloads and what it costs to run, each
// figure beside a baseline measured in the same run and beside Electron's and Tauri's published
// figures (a bundle of 166 MB and ~460 MB of memory; 2.6 MB and ~310 MB).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import { chromium, type Page } from 'playwright-core';
import { buildExecutable } from '../packaging/build-executable';
import { ApiClient } from '../src/api-client/api-client';
import { readLocalCliToken } from '../src/auth/secrets-store';
import { kernelGuestRequest, REPO_ROOT } from '../test/support/test-guest';
import { mib, processMemory, processTree } from './process-memory';
import { fmtMs, median, report } from './stats';
import { freePort } from '../test/support/free-port';

const ELECTRON = 'Electron 166 MB / ~460 MB';
const TAURI = 'Tauri 2.6 MB / ~310 MB';
const QUOTED = `${ELECTRON} · ${TAURI}`;
const LAUNCHES = 5;
const IDLE_MS = 3000;
const CHROMIUM = process.env.OPENUTM_CHROMIUM ?? '/usr/bin/chromium';

const exe = buildExecutable({ log: (line) => process.stdout.write(`      ${line}\n`) }).path;
const home = await mkdtemp(path.join(os.tmpdir(), 'openutm-pkgbench-'));
const env = (port: number): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  HOME: path.join(home, 'home'),
  OPENUTM_HOME: path.join(home, 'library'),
  OPENUTM_PORT: String(port),
  OPENUTM_ACCEL: 'tcg',
});
const nodeServer = "require('node:http').createServer((q,s)=>s.end()).listen(Number(process.env.OPENUTM_PORT),'127.0.0.1')";
const bundle = path.join(REPO_ROOT, 'helper/dist/openutm.cjs');
const commands = {
  exe: [exe, 'serve'],
  node: [process.execPath, '-e', nodeServer],
  bundle: [process.execPath, bundle, 'serve'],
};

try {
  sizes();
  await startAndIdle();
  await withAppWindow();
} finally {
  await rm(home, { recursive: true, force: true });
}

// What a person downloads: the executable, and the same compressed as a release would be.
function sizes(): void {
  const size = statSync(exe).size;
  const nodeSize = statSync(process.execPath).size;
  report('executable size', mb(size), `node ${mb(nodeSize)}`, QUOTED, null);
  const bytes = readFileSync(exe);
  const gz = gzipSync(bytes, { level: 9 }).length;
  report('download, gzip -9', mb(gz), `node ${mb(gzipSync(readFileSync(process.execPath), { level: 9 }).length)}`, QUOTED, null);
  const xz = spawnSync('xz', ['-9', '-T1', '-c'], { input: bytes, maxBuffer: 256 * 1024 * 1024 });
  if (xz.status === 0) report('download, xz -9', mb(xz.stdout.length), '', QUOTED, null);
  else process.stdout.write('      xz is not installed; no xz figure\n');
}

// From spawn to the first accepted TCP connection, then the resident memory after a quiet spell.
async function startAndIdle(): Promise<void> {
  const results: Record<keyof typeof commands, { ms: number[]; rssKiB: number[]; pssKiB: number[] }> = {
    exe: { ms: [], rssKiB: [], pssKiB: [] },
    node: { ms: [], rssKiB: [], pssKiB: [] },
    bundle: { ms: [], rssKiB: [], pssKiB: [] },
  };
  for (let i = 0; i < LAUNCHES; i++) {
    // Interleaved, so a slow moment of the machine hits all three alike.
    for (const key of Object.keys(commands) as Array<keyof typeof commands>) {
      const port = await freePort();
      const started = await launch(commands[key], env(port), port);
      results[key].ms.push(started.ms);
      if (i === 0) {
        await sleep(IDLE_MS);
        const m = processMemory(started.child.pid!);
        results[key].rssKiB.push(m.rssKiB);
        results[key].pssKiB.push(m.pssKiB);
      }
      await stop(started.child);
    }
  }
  const { exe: e, node: n, bundle: b } = results;
  report(`launch → accepting connections (median of ${LAUNCHES})`, fmtMs(median(e.ms)), `node -e ${fmtMs(median(n.ms))}`, 'none', null);
  process.stdout.write(`      the same bundle run by node: ${fmtMs(median(b.ms))}\n`);
  report('idle RSS, helper', mib(e.rssKiB[0]!), `idle node ${mib(n.rssKiB[0]!)}`, QUOTED, null);
  report('idle PSS, helper', mib(e.pssKiB[0]!), `idle node ${mib(n.pssKiB[0]!)}`, QUOTED, null);
  process.stdout.write(`      the same bundle run by node: RSS ${mib(b.rssKiB[0]!)}, PSS ${mib(b.pssKiB[0]!)}\n`);
}

// The helper plus a Chromium app window (`--app=`) paired with it and showing the library with
// one VM, against the same Chromium showing a blank app window next to an idle node.
async function withAppWindow(): Promise<void> {
  const port = await freePort();
  const helper = await launch(commands.exe, env(port), port);
  const idleNode = await launch(commands.node, env(await freePort()), null);
  try {
    const api = await ApiClient.connect({ url: `ws://127.0.0.1:${port}/api`, token: readLocalCliToken(env(port).OPENUTM_HOME!), clientName: 'package bench' });
    await api.call('vm.create', kernelGuestRequest('Bench guest'));
    await api.close();
    const pair = spawnSync(exe, ['pair', '--json'], { env: env(port), encoding: 'utf8' });
    if (pair.status !== 0) throw new Error(`openutm pair failed: ${pair.stderr}`);
    const { url } = JSON.parse(pair.stdout) as { url: string };

    const library = await appWindow(url, async (page) => {
      await page.getByRole('button', { name: 'Pair', exact: true }).click();
      await page.getByTestId('connection-pill').getByText('Connected').waitFor();
      await page.getByTestId('vm-card').first().waitFor();
    });
    const blank = await appWindow('about:blank', async () => undefined);
    const h = processMemory(helper.child.pid!);
    const n = processMemory(idleNode.child.pid!);
    report(
      'RSS, helper + Chromium app window (library)',
      mib(h.rssKiB + library.rssKiB),
      `${mib(n.rssKiB + blank.rssKiB)} node+blank`,
      QUOTED,
      null,
    );
    report('PSS, helper + Chromium app window (library)', mib(h.pssKiB + library.pssKiB), `${mib(n.pssKiB + blank.pssKiB)} node+blank`, QUOTED, null);
    process.stdout.write(`      Chromium: ${library.processes} processes, RSS ${mib(library.rssKiB)}, PSS ${mib(library.pssKiB)}; helper RSS ${mib(h.rssKiB)}\n`);
  } finally {
    await stop(helper.child);
    await stop(idleNode.child);
  }
}

// Opens an app window at url in a fresh profile, lets `ready` wait for the page, idles, and
// sums the memory of every Chromium process it started.
async function appWindow(url: string, ready: (page: Page) => Promise<void>) {
  const before = new Set(processTree(process.pid));
  const profile = await mkdtemp(path.join(home, 'chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    // As in web/test/support/browser.ts, plus the app window.
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--app=${url}`],
  });
  try {
    const page = context.pages()[0] ?? (await context.waitForEvent('page'));
    await page.waitForLoadState('load');
    await ready(page);
    await sleep(IDLE_MS);
    // Every process Chromium started (browser, renderers, GPU, utility, zygotes), each once.
    const pids = processTree(process.pid).filter((pid) => !before.has(pid) && comm(pid).startsWith('chrom'));
    if (pids.length === 0) throw new Error('found no Chromium processes to measure');
    const sum = pids.map(processMemory).reduce((a, b) => ({ rssKiB: a.rssKiB + b.rssKiB, pssKiB: a.pssKiB + b.pssKiB }), { rssKiB: 0, pssKiB: 0 });
    return { ...sum, processes: pids.length };
  } finally {
    await context.close();
  }
}

function comm(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

// Spawns argv and waits until the port accepts connections (port null: until it runs).
async function launch(argv: string[], childEnv: NodeJS.ProcessEnv, port: number | null): Promise<{ child: ChildProcess; ms: number }> {
  const t0 = performance.now();
  const child = spawn(argv[0]!, argv.slice(1), { env: childEnv, stdio: 'ignore' });
  if (port === null) return { child, ms: 0 };
  let exited = false;
  child.once('exit', () => (exited = true));
  while (!(await accepts(port))) {
    if (exited) throw new Error(`${argv.join(' ')} exited before accepting connections`);
    await sleep(2);
  }
  return { child, ms: performance.now() - t0 };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}
