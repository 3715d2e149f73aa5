// `npm run bench` (UI part): Lighthouse with its mobile emulation (a mid-range phone, 4× CPU
// slowdown, slow 4G, simulated) on every page of the UI served by the real helper, unpaired and
// paired, next to a bare static page loaded the same way in the same run. Targets (issue 13):
// performance ≥ 90 and cumulative layout shift < 0.02 on every page.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import lighthouse from 'lighthouse';
import { chromium } from 'playwright-core';
import { CHROMIUM } from '../test/support/browser';
import { ensureWebBuilt } from '../test/support/build-web';
import { RealHelper } from '../test/support/real-helper';
import { serveStatic } from '../test/support/static-server';
import { pairThroughUi } from '../test/support/ui-session';
import { report } from '../../helper/bench/stats';

const SCORE_TARGET = 90;
const CLS_TARGET = 0.02;

interface Figures {
  score: number;
  cls: number;
  lcpMs: number;
  tbtMs: number;
  // What moved, when something did (Lighthouse's layout-shifts audit), to start the search.
  shifted: string[];
}

ensureWebBuilt();
const helper = await RealHelper.start();
const profile = await mkdtemp(path.join(os.tmpdir(), 'openutm-lighthouse-'));
const bareDir = await mkdtemp(path.join(os.tmpdir(), 'openutm-bare-'));
await writeFile(
  path.join(bareDir, 'index.html'),
  '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Bare</title></head><body><h1>A bare page</h1><p>The same server, no scripts.</p></body></html>',
);
const bare = await serveStatic(bareDir);
const port = await freePort();
// A persistent profile: Lighthouse opens its tab in the browser's default context, so a token
// saved there by pairing is what the paired runs use.
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: CHROMIUM,
  headless: true,
  args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', `--remote-debugging-port=${port}`],
});
try {
  const id = await helper.createKernelGuest('Lighthouse');
  const baseline = await audit(`${bare.origin}/`, false);
  const line = (label: string, f: Figures) => {
    report(`lighthouse mobile ${label}: score`, String(f.score), String(baseline.score), `≥ ${SCORE_TARGET}`, f.score >= SCORE_TARGET);
    report(`lighthouse mobile ${label}: CLS`, f.cls.toFixed(3), baseline.cls.toFixed(3), `< ${CLS_TARGET}`, f.cls < CLS_TARGET);
    if (f.cls >= CLS_TARGET) for (const node of f.shifted) process.stdout.write(`      moved: ${node}\n`);
    report(`lighthouse mobile ${label}: LCP`, `${(f.lcpMs / 1000).toFixed(2)} s`, `${(baseline.lcpMs / 1000).toFixed(2)} s`, 'informational', null);
    report(`lighthouse mobile ${label}: TBT`, `${Math.round(f.tbtMs)} ms`, `${Math.round(baseline.tbtMs)} ms`, 'informational', null);
  };
  // Unpaired first: Lighthouse's storage reset leaves the profile without a token.
  line('/ unpaired', await audit(`${helper.origin}/`, false));
  line('/pair unpaired', await audit(`${helper.origin}/pair`, false));
  const page = browser.pages()[0] ?? (await browser.newPage());
  await pairThroughUi(page, helper);
  await page.close();
  line('/ paired', await audit(`${helper.origin}/`, true));
  line('/new', await audit(`${helper.origin}/new`, true));
  line('/vm', await audit(`${helper.origin}/vm?id=${id}`, true));
  line('/preferences', await audit(`${helper.origin}/preferences`, true));
} finally {
  await browser.close();
  await bare.close();
  await helper.stop();
  await rm(profile, { recursive: true, force: true });
  await rm(bareDir, { recursive: true, force: true });
}

// One Lighthouse run with its default (mobile) settings, performance only. `keepStorage` keeps
// the profile's token (and service worker) so the page loads paired.
async function audit(url: string, keepStorage: boolean): Promise<Figures> {
  const result = await lighthouse(url, { port, output: 'json', logLevel: 'error', onlyCategories: ['performance'], disableStorageReset: keepStorage });
  if (result === undefined) throw new Error(`Lighthouse returned nothing for ${url}`);
  const { lhr } = result;
  if (lhr.runtimeError) throw new Error(`Lighthouse could not load ${url}: ${lhr.runtimeError.message}`);
  const num = (audit: string) => lhr.audits[audit]?.numericValue ?? NaN;
  return {
    score: Math.round((lhr.categories.performance?.score ?? 0) * 100),
    cls: num('cumulative-layout-shift'),
    lcpMs: num('largest-contentful-paint'),
    tbtMs: num('total-blocking-time'),
    shifted: shiftedNodes(lhr.audits['layout-shifts']?.details),
  };
}

function shiftedNodes(details: unknown): string[] {
  const items = (details as { items?: Array<{ node?: { selector?: string; snippet?: string }; score?: number }> } | undefined)?.items ?? [];
  return items.map((i) => `${i.score?.toFixed(3) ?? '?'} ${i.node?.selector ?? ''} ${i.node?.snippet?.slice(0, 80) ?? ''}`);
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
