// `npm run bench` (UI part): Lighthouse on every page of the UI served by the real helper,
// unpaired and paired, with its mobile emulation (a mid-range phone, 4× CPU slowdown, slow 4G,
// simulated) and its desktop settings, next to a bare static page loaded the same way in the
// same run. Targets (issue 13): performance ≥ 90 and cumulative layout shift < 0.02 on every
// page, in both.
//
// Options (environment):
//   OPENUTM_BENCH_LIGHTHOUSE_RUNS=3       runs per page and form factor; figures are medians
//   OPENUTM_BENCH_LIGHTHOUSE_PAGES=/new,/vm   only these pages (labels as printed; `/` means both)
//   OPENUTM_BENCH_LIGHTHOUSE_FORMS=mobile     only this form factor (mobile, desktop)
//   OPENUTM_BENCH_LIGHTHOUSE_REPORTS=dir      keep each run's full report (JSON) there
//   OPENUTM_BENCH_LIGHTHOUSE_VERSUS=dir       also measure another build, laid out like this
//       repository (dir/helper/dist/openutm.cjs serving dir/web/out), its runs interleaved
//       with this build's so both see the same machine load; printed as "versus" lines. On a
//       loaded machine this is the only fair before/after: TBT follows the load.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import lighthouse, { desktopConfig, type Config } from 'lighthouse';
import { chromium } from 'playwright-core';
import { CHROMIUM } from '../test/support/browser';
import { ensureWebBuilt } from '../test/support/build-web';
import { RealHelper } from '../test/support/real-helper';
import { serveStatic } from '../test/support/static-server';
import { pairThroughUi } from '../test/support/ui-session';
import { median, report } from '../../helper/bench/stats';

const SCORE_TARGET = 90;
const CLS_TARGET = 0.02;

type Form = 'mobile' | 'desktop';

interface Figures {
  score: number;
  cls: number;
  lcpMs: number;
  tbtMs: number;
  // The largest paint's element, and what moved when something did (Lighthouse's
  // layout-shifts audit), to start the search.
  lcpNode: string;
  shifted: string[];
}

const RUNS = Math.max(1, Number(process.env.OPENUTM_BENCH_LIGHTHOUSE_RUNS ?? 1));
const PAGES = listOption(process.env.OPENUTM_BENCH_LIGHTHOUSE_PAGES);
const FORMS = (listOption(process.env.OPENUTM_BENCH_LIGHTHOUSE_FORMS) ?? ['mobile', 'desktop']).filter((f): f is Form => f === 'mobile' || f === 'desktop');
const REPORTS = process.env.OPENUTM_BENCH_LIGHTHOUSE_REPORTS;
const VERSUS = process.env.OPENUTM_BENCH_LIGHTHOUSE_VERSUS;

// One build under test: its helper and the VM its /vm page shows.
interface Build {
  name: 'this' | 'versus';
  helper: RealHelper;
  vmId: string;
}

ensureWebBuilt();
if (REPORTS !== undefined) await mkdir(REPORTS, { recursive: true });
const helper = await RealHelper.start();
const versusHelper = VERSUS === undefined ? null : await RealHelper.start({ bundle: path.resolve(VERSUS, 'helper/dist/openutm.cjs') });
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
  const builds: Build[] = [{ name: 'this', helper, vmId: await helper.createKernelGuest('Lighthouse') }];
  if (versusHelper !== null) builds.push({ name: 'versus', helper: versusHelper, vmId: await versusHelper.createKernelGuest('Lighthouse') });
  const baseline = new Map<Form, Figures>();
  for (const form of FORMS) baseline.set(form, (await measure('bare', form, [() => `${bare.origin}/`], false))[0]!);
  const page = async (label: string, at: (b: Build) => string, paired: boolean) => {
    if (PAGES !== undefined && !PAGES.includes(label) && !PAGES.includes(label.split(' ')[0]!)) return;
    const urls = builds.map((b) => () => `${b.helper.origin}${at(b)}`);
    for (const form of FORMS) {
      const figures = await measure(label, form, urls, paired);
      figures.forEach((f, i) => line(form, builds[i]!.name === 'this' ? label : `${label} versus`, f, baseline.get(form)!));
    }
  };
  // Unpaired first: Lighthouse's storage reset leaves the profile without a token.
  await page('/ unpaired', () => '/', false);
  await page('/pair unpaired', () => '/pair', false);
  for (const b of builds) {
    const tab = browser.pages()[0] ?? (await browser.newPage());
    await pairThroughUi(tab, b.helper);
    await tab.close();
  }
  await page('/ paired', () => '/', true);
  await page('/new', () => '/new', true);
  await page('/vm', (b) => `/vm?id=${b.vmId}`, true);
  await page('/preferences', () => '/preferences', true);
} finally {
  await browser.close();
  await bare.close();
  await helper.stop();
  await versusHelper?.stop();
  await rm(profile, { recursive: true, force: true });
  await rm(bareDir, { recursive: true, force: true });
}

function line(form: Form, label: string, f: Figures, base: Figures): void {
  const name = `lighthouse ${form} ${label}`;
  const runs = RUNS > 1 ? ` (median of ${RUNS})` : '';
  report(`${name}: score${runs}`, String(f.score), String(base.score), `≥ ${SCORE_TARGET}`, f.score >= SCORE_TARGET);
  report(`${name}: CLS`, f.cls.toFixed(3), base.cls.toFixed(3), `< ${CLS_TARGET}`, f.cls < CLS_TARGET);
  if (f.cls >= CLS_TARGET) for (const node of f.shifted) process.stdout.write(`      moved: ${node}\n`);
  report(`${name}: LCP`, `${(f.lcpMs / 1000).toFixed(2)} s`, `${(base.lcpMs / 1000).toFixed(2)} s`, 'informational', null);
  if (f.score < SCORE_TARGET) process.stdout.write(`      largest paint: ${f.lcpNode}\n`);
  report(`${name}: TBT`, `${Math.round(f.tbtMs)} ms`, `${Math.round(base.tbtMs)} ms`, 'informational', null);
}

// RUNS Lighthouse runs of one page in each build (one url each), taken in turns; each figure
// is the median of its build's runs.
async function measure(label: string, form: Form, urls: Array<() => string>, keepStorage: boolean): Promise<Figures[]> {
  const runs: Figures[][] = urls.map(() => []);
  for (let i = 0; i < RUNS; i++) {
    for (const [b, url] of urls.entries()) runs[b]!.push(await audit(b === 0 ? label : `${label} versus`, form, url(), keepStorage, i));
  }
  return runs.map((own) => {
    const mid = (pick: (f: Figures) => number) => median(own.map(pick));
    const score = mid((f) => f.score);
    const typical = own.find((f) => f.score === score) ?? own[0]!;
    return { score, cls: mid((f) => f.cls), lcpMs: mid((f) => f.lcpMs), tbtMs: mid((f) => f.tbtMs), lcpNode: typical.lcpNode, shifted: own.flatMap((f) => f.shifted) };
  });
}

// One Lighthouse run, performance only. `keepStorage` keeps the profile's token (and service
// worker) so the page loads paired.
async function audit(label: string, form: Form, url: string, keepStorage: boolean, run: number): Promise<Figures> {
  const flags = { port, output: 'json' as const, logLevel: 'error' as const, onlyCategories: ['performance'], disableStorageReset: keepStorage };
  const config: Config | undefined = form === 'desktop' ? desktopConfig : undefined;
  const result = await lighthouse(url, flags, config);
  if (result === undefined) throw new Error(`Lighthouse returned nothing for ${url}`);
  const { lhr } = result;
  if (lhr.runtimeError) throw new Error(`Lighthouse could not load ${url}: ${lhr.runtimeError.message}`);
  if (REPORTS !== undefined) {
    const file = `${label.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '') || 'root'}-${form}-${run + 1}.json`;
    await writeFile(path.join(REPORTS, file), JSON.stringify(lhr));
  }
  const num = (audit: string) => lhr.audits[audit]?.numericValue ?? NaN;
  return {
    score: Math.round((lhr.categories.performance?.score ?? 0) * 100),
    cls: num('cumulative-layout-shift'),
    lcpMs: num('largest-contentful-paint'),
    tbtMs: num('total-blocking-time'),
    lcpNode: lcpElement(lhr.audits['largest-contentful-paint-element']?.details),
    shifted: shiftedNodes(lhr.audits['layout-shifts']?.details),
  };
}

function lcpElement(details: unknown): string {
  type Node = { node?: { selector?: string; snippet?: string } };
  const tables = (details as { items?: Array<{ items?: Node[] }> } | undefined)?.items ?? [];
  const node = tables[0]?.items?.[0]?.node;
  return node === undefined ? 'none reported' : `${node.selector ?? ''} ${node.snippet?.slice(0, 100) ?? ''}`;
}

function shiftedNodes(details: unknown): string[] {
  const items = (details as { items?: Array<{ node?: { selector?: string; snippet?: string }; score?: number }> } | undefined)?.items ?? [];
  return items.map((i) => `${i.score?.toFixed(3) ?? '?'} ${i.node?.selector ?? ''} ${i.node?.snippet?.slice(0, 80) ?? ''}`);
}

function listOption(raw: string | undefined): string[] | undefined {
  const items = raw?.split(',').map((s) => s.trim()).filter(Boolean);
  return items === undefined || items.length === 0 ? undefined : items;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
