// `npm run bench` (console opening): the time from a click on a library card's Console button to
// the guest's screen drawn on the console page's canvas, in real Chromium against the real helper
// and a running test guest, on a warm page (the library shown, the console opened once before).
// Baseline, same run and same guest: a bare page that loads spice-html5 and connects through
// websockify to the same QEMU SPICE socket, timed from its own click to its first drawn screen.
// The rounds alternate between the two; QEMU serves one SPICE client at a time.
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { defaultRuntimeRoot, runtimePathsFor } from '../../helper/src/runtime/runtime-paths';
import { startWebsockify } from '../../helper/bench/websockify';
import { fmtMs, median, percentile, report } from '../../helper/bench/stats';
import { launchChromium } from '../test/support/browser';
import { ensureWebBuilt } from '../test/support/build-web';
import { RealHelper } from '../test/support/real-helper';
import { serveStatic } from '../test/support/static-server';
import { pairThroughUi } from '../test/support/ui-session';
import { screenDiagnostics, watchScreen } from '../test/support/console-screen';

const ROUNDS = Number(process.env.OPENUTM_BENCH_CONSOLE_ROUNDS ?? 10);
const TARGET_MS = 300;
// Every page notes when it creates a WebSocket (the first one after a click is where the SPICE
// protocol starts: what comes before is the page's own work).
const NOTE_SOCKETS = `{
  const Native = window.WebSocket;
  window.benchSockets = [];
  window.WebSocket = class extends Native {
    constructor(url, protocols) {
      super(url, protocols);
      if (!String(url).endsWith('/api')) window.benchSockets.push(performance.now());
    }
  };
}`;
// A drawn screen: this many pixels differ from the canvas's most common colour (the guest's
// console text; a blank or black canvas has none).
const MIN_INK = 500;

ensureWebBuilt();
await consoleOpenLatency();

async function consoleOpenLatency(): Promise<void> {
  const helper = await RealHelper.start();
  const browser = await launchChromium();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'openutm-console-bench-'));
  let stopWebsockify = () => {};
  try {
    const id = await helper.createKernelGuest('Console bench');
    await (await helper.api()).call('vm.start', { id });
    await helper.waitForGuestShell(id);

    const spice = runtimePathsFor(defaultRuntimeRoot(helper.home), id, 'linux').spice;
    if (spice.kind !== 'unix') throw new Error('the bench expects QEMU on unix sockets (Linux)');
    const wsify = await startWebsockify(spice.path);
    stopWebsockify = () => wsify.process.kill('SIGTERM');
    const bare = await bareSpicePage(dir, wsify.url);

    const appContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await appContext.addInitScript(NOTE_SOCKETS);
    const app = await appContext.newPage();
    watchScreen(app, helper.log);
    await pairThroughUi(app, helper);
    await app.locator(`[data-vm-id="${id}"] [data-testid="state-badge"][data-state="running"]`).waitFor({ timeout: 120_000 });
    const baseContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await baseContext.addInitScript(NOTE_SOCKETS);
    const base = await baseContext.newPage();
    await base.goto(bare.origin);
    await base.waitForFunction(() => 'benchConnect' in window);

    // One unmeasured round each: the pages are warm, as a person's would be on a second open.
    await openUtmRound(app, id);
    await bareRound(base);
    const ours: Round[] = [];
    const theirs: Round[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      ours.push(await openUtmRound(app, id));
      theirs.push(await bareRound(base));
    }
    await bare.close();
    const total = (rs: Round[]) => rs.map((r) => r.total);
    const toSocket = (rs: Round[]) => rs.map((r) => r.toSocket);
    report(`console click → first pixels, p50 (${ROUNDS})`, fmtMs(median(total(ours))), fmtMs(median(total(theirs))), `≤ ${TARGET_MS} ms (baseline: websockify + spice-html5)`, median(total(ours)) <= TARGET_MS);
    report(`console click → first pixels, p95 (${ROUNDS})`, fmtMs(percentile(total(ours), 95)), fmtMs(percentile(total(theirs), 95)), 'informational', null);
    report(`console click → first SPICE socket, p50`, fmtMs(median(toSocket(ours))), fmtMs(median(toSocket(theirs))), 'informational (the page before SPICE starts)', null);
  } finally {
    stopWebsockify();
    await browser.close();
    await helper.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

// Runs in the page: resolves with the time (performance.now) of the first animation frame whose
// canvas shows the guest's screen. A string: tsx would wrap a function's inner names in a helper
// the page does not have.
function firstPixels(page: Page, selector: string): Promise<number> {
  return page.evaluate(`new Promise((resolve, reject) => {
    setTimeout(() => reject(new Error('no guest screen on ' + ${JSON.stringify(selector)} + ' after 60 s')), 60000);
    const tick = () => {
      const canvas = document.querySelector(${JSON.stringify(selector)});
      const ctx = canvas && canvas.width > 0 && canvas.height > 0 ? canvas.getContext('2d') : null;
      if (ctx) {
        const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
        const counts = new Map();
        for (let i = 0; i < data.length; i += 4) {
          const rgb = (data[i] << 16) | (data[i + 1] << 8) | data[i + 2];
          counts.set(rgb, (counts.get(rgb) ?? 0) + 1);
        }
        if (data.length / 4 - Math.max(...counts.values()) >= ${MIN_INK}) return resolve(performance.now());
      }
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  })`);
}

// Click on the library card's Console button → the console page's canvas shows the guest; then
// back to the library by the page's own link.
interface Round {
  total: number;
  toSocket: number;
}

// When the round's first SPICE socket was created, from the page's notes.
function firstSocketAt(page: Page, after: number): Promise<number> {
  return page.evaluate((t) => (window as unknown as { benchSockets: number[] }).benchSockets.find((at) => at >= t) ?? NaN, after);
}

async function openUtmRound(page: Page, id: string): Promise<Round> {
  await page.evaluate(() => {
    const w = window as unknown as { benchClickAt?: number };
    delete w.benchClickAt;
    document.addEventListener('click', () => (w.benchClickAt = performance.now()), { capture: true, once: true });
  });
  const drawn = firstPixels(page, '[data-testid="console-screen"] canvas');
  await page.locator(`[data-vm-id="${id}"] [data-action="console"]`).click();
  const at = await drawn.catch(async (e: Error) => Promise.reject(new Error(`${e.message}\n${await screenDiagnostics(page)}`)));
  const clickedAt = await page.evaluate(() => (window as unknown as { benchClickAt: number }).benchClickAt);
  const socketAt = await firstSocketAt(page, clickedAt);
  await page.getByRole('link', { name: '← Library' }).click();
  await page.locator(`[data-vm-id="${id}"] [data-testid="state-badge"][data-state="running"]`).waitFor();
  return { total: at - clickedAt, toSocket: socketAt - clickedAt };
}

// The bare page's click → its canvas shows the guest; then it disconnects.
async function bareRound(page: Page): Promise<Round> {
  const drawn = firstPixels(page, '#screen canvas');
  await page.locator('#connect').click();
  const at = await drawn;
  const clickedAt = await page.evaluate(() => (window as unknown as { benchClickAt: number }).benchClickAt);
  const socketAt = await firstSocketAt(page, clickedAt);
  await page.evaluate(() => (window as unknown as { benchDisconnect(): void }).benchDisconnect());
  return { total: at - clickedAt, toSocket: socketAt - clickedAt };
}

// The baseline page: spice-html5's own ES modules, served as they are, and a button that connects.
async function bareSpicePage(dir: string, websockifyUrl: string): Promise<{ origin: string; close: () => Promise<void> }> {
  const spiceSrc = path.dirname(createRequire(import.meta.url).resolve('@spice-project/spice-html5/src/main.js'));
  await symlink(spiceSrc, path.join(dir, 'spice'));
  await writeFile(
    path.join(dir, 'index.html'),
    `<!doctype html><meta charset="utf-8"><title>spice-html5 via websockify</title>
<button id="connect">Connect</button><div id="screen"></div>
<script type="module">
import { SpiceMainConn } from './spice/main.js';
let sc = null;
window.benchConnect = true;
document.getElementById('connect').addEventListener('click', () => {
  window.benchClickAt = performance.now();
  sc = new SpiceMainConn({ uri: ${JSON.stringify(websockifyUrl)}, screen_id: 'screen', password: '', onerror: (e) => console.log('spice error', e) });
});
window.benchDisconnect = () => { sc?.stop(); sc = null; document.getElementById('screen').replaceChildren(); };
</script>`,
  );
  return serveStatic(dir);
}
