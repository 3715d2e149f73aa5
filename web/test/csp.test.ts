import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium } from './support/browser';
import { ensureWebBuilt } from './support/build-web';
import { exportedRoutes } from './support/exported-routes';
import { RealHelper } from './support/real-helper';
import { openSession, pairThroughUi, type UiSession } from './support/ui-session';

// The helper's CSP has no 'unsafe-inline' for scripts: each page's inline scripts (Next's
// bootstrap and payload) are allowed by hash. Every page of the export loads in real Chromium
// with that policy and no violation, and the app works (pairing, then the library).


let helper: RealHelper;
let browser: Browser;
let session: UiSession;
let vmId: string;

// Every securitypolicyviolation the page sees, kept on window from before the first script.
const RECORD_VIOLATIONS = () => {
  const w = window as unknown as { cspViolations: string[] };
  w.cspViolations = [];
  document.addEventListener('securitypolicyviolation', (e) => w.cspViolations.push(`${e.violatedDirective}: ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`));
};

before(async () => {
  ensureWebBuilt();
  helper = await RealHelper.start();
  vmId = await helper.createKernelGuest('CSP test VM');
  browser = await launchChromium();
  session = await openSession(browser);
  await session.page.addInitScript(RECORD_VIOLATIONS);
});

after(async () => {
  await session?.context.close();
  await browser?.close();
  await helper?.stop();
});

const violations = () => session.page.evaluate(() => (window as unknown as { cspViolations?: string[] }).cspViolations ?? []);

test('the pairing page renders under the CSP, and pairing works', async () => {
  const { page } = session;
  const response = await page.goto(`${helper.origin}/pair`);
  const csp = (await response!.allHeaders())['content-security-policy'] ?? '';
  const scriptSrc = csp.split('; ').find((d) => d.startsWith('script-src ')) ?? '';
  assert.doesNotMatch(scriptSrc, /unsafe-inline/);
  assert.match(scriptSrc, /'sha256-[A-Za-z0-9+/]+=*'/, 'the page has inline scripts, listed by hash');
  await page.getByRole('heading', { name: 'Pair this browser' }).waitFor();
  assert.deepEqual(await violations(), []);
  await pairThroughUi(page, helper);
  await page.getByRole('article', { name: 'CSP test VM' }).waitFor();
  assert.deepEqual(await violations(), []);
  assert.deepEqual(session.errors.errors, []);
});

for (const route of exportedRoutes()) {
  test(`${route} loads with no CSP violation`, async () => {
    const { page } = session;
    await page.goto(`${helper.origin}${route}?vm=${vmId}&id=${vmId}`);
    await page.getByTestId('connection-pill').getByText('Connected').waitFor();
    await page.waitForLoadState('networkidle');
    assert.deepEqual(await violations(), []);
    assert.deepEqual(
      session.errors.errors.filter((e) => /Content Security Policy/i.test(e)),
      [],
    );
  });
}
