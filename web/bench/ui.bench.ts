// `npm run bench` (UI part): (a) the first-load JavaScript (gzip) of every page of the web export,
// next to the framework's share (the chunks every page loads); (b) the time from the helper
// recording a VM state change (a QMP event, stamped `since`) to the library card changing in
// real Chromium, next to the same event reaching a plain Node WebSocket client, same run.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { VmState } from '@openutm/shared';
import { launchChromium } from '../test/support/browser';
import { ensureWebBuilt, OUT_DIR } from '../test/support/build-web';
import { RealHelper } from '../test/support/real-helper';
import { pairThroughUi } from '../test/support/ui-session';
import { fmtMs, percentile, report } from '../../helper/bench/stats';

const FIRST_LOAD_TARGET_KB = 200;
const ROUNDS = 40;
const LATENCY_TARGET_MS = 100;

ensureWebBuilt();
firstLoadJavaScript();
await stateEventLatency();

// (a) Each HTML page's <script src> chunks, gzipped as a server would send them. The baseline is
// what every page loads alike: React, Next's runtime and the root layout (helper client, zod).
function firstLoadJavaScript(): void {
  const pages = htmlFiles(OUT_DIR);
  const scriptsOf = new Map(pages.map((file) => [file, scriptSources(readFileSync(file, 'utf8'))]));
  const gz = new Map<string, number>();
  const sizeOf = (src: string) => {
    if (!gz.has(src)) gz.set(src, gzipSync(readFileSync(path.join(OUT_DIR, src.split('?')[0]!))).length);
    return gz.get(src)!;
  };
  const shared = [...scriptsOf.values()].reduce((common, s) => new Set([...common].filter((x) => s.has(x))));
  const framework = [...shared].reduce((sum, src) => sum + sizeOf(src), 0);
  for (const [file, scripts] of scriptsOf) {
    const total = [...scripts].reduce((sum, src) => sum + sizeOf(src), 0);
    const route = `/${path.relative(OUT_DIR, file).replace(/\.html$/, '').replace(/(^|\/)index$/, '')}`;
    report(`first-load JS (gzip) ${route}`, kb(total), `${kb(framework)} all`, `≤ ${FIRST_LOAD_TARGET_KB} KB`, total <= FIRST_LOAD_TARGET_KB * 1024);
  }
}

function htmlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? (e.name === '_next' ? [] : htmlFiles(path.join(dir, e.name))) : e.name.endsWith('.html') ? [path.join(dir, e.name)] : [],
  );
}

// `nomodule` scripts (Next's polyfills) are skipped by every browser that runs this UI.
function scriptSources(html: string): Set<string> {
  const tags = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]).filter((tag) => !/\snomodule\b/i.test(tag));
  return new Set(tags.flatMap((tag) => [.../\ssrc="\/([^"]+)"/.exec(tag)?.slice(1) ?? []]));
}

function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KB`;
}

// (b) Pause and resume one running test guest ROUNDS times; the card's badge is watched by a
// MutationObserver in the page, the Node client listens for vm.state. Both clocks are this host's.
async function stateEventLatency(): Promise<void> {
  const helper = await RealHelper.start();
  const browser = await launchChromium();
  try {
    const id = await helper.createKernelGuest('Bench');
    const api = await helper.api();
    await api.call('vm.start', { id });
    const page = await (await browser.newContext()).newPage();
    await pairThroughUi(page, helper);
    await page.locator(`[data-vm-id="${id}"] [data-testid="state-badge"][data-state="running"]`).waitFor({ timeout: 120_000 });
    await page.evaluate((vmId) => {
      const w = window as unknown as { badgeChanges: Array<{ state: string; at: number }> };
      w.badgeChanges = [];
      const card = document.querySelector(`[data-vm-id="${vmId}"]`)!;
      new MutationObserver(() => {
        const state = card.querySelector('[data-testid="state-badge"]')?.getAttribute('data-state') ?? '';
        const last = w.badgeChanges.at(-1)?.state;
        if (state !== last) w.badgeChanges.push({ state, at: performance.timeOrigin + performance.now() });
      }).observe(card, { subtree: true, attributes: true, childList: true, characterData: true });
    }, id);

    const ui: number[] = [];
    const node: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      for (const [method, state] of [['vm.pause', 'paused'], ['vm.resume', 'running']] as const) {
        const arrived = new Promise<number>((resolve) => {
          const off = api.on('vm.state', (s) => {
            if (s.id !== id || s.state !== state) return;
            off();
            resolve(performance.timeOrigin + performance.now() - Date.parse(s.since));
          });
        });
        const status = await api.call(method, { id });
        node.push(await arrived);
        const at = await page.waitForFunction(
          (want: VmState) => (window as unknown as { badgeChanges: Array<{ state: string; at: number }> }).badgeChanges.findLast((c) => c.state === want)?.at,
          state,
        );
        ui.push((await at.jsonValue())! - Date.parse(status.since));
        await page.evaluate(() => ((window as unknown as { badgeChanges: unknown[] }).badgeChanges.length = 0));
      }
    }
    const p95 = percentile(ui, 95);
    report(`state event → card, p50 (${ui.length} changes)`, fmtMs(percentile(ui, 50)), fmtMs(percentile(node, 50)), 'informational (baseline: Node client)', null);
    report(`state event → card, p95 (${ui.length} changes)`, fmtMs(p95), fmtMs(percentile(node, 95)), `p95 ≤ ${LATENCY_TARGET_MS} ms`, p95 <= LATENCY_TARGET_MS);
  } finally {
    await browser.close();
    await helper.stop();
  }
}
