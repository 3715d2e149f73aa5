import assert from 'node:assert/strict';
import { after, afterEach, before } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium } from './browser';
import { ensureWebBuilt } from './build-web';
import { pairedPage, type PairedPage } from './paired-page';
import { RealHelper, type RealHelperOptions } from './real-helper';

// What a UI test file shares: one real helper and one Chromium for the file, and a freshly
// paired page per test whose console errors fail that test.
export interface UiSuite {
  readonly helper: RealHelper;
  readonly browser: Browser;
  // A new browser profile paired through the UI; closed and checked for errors after the test.
  pair(colorScheme?: 'light' | 'dark'): Promise<PairedPage>;
}

// Registers the file's hooks (call it once at the top level of a test file): build the UI if
// needed, start the helper and Chromium before the tests, close every page paired during a
// test after it (failing on any console error), stop everything at the end. helperOptions go
// to the file's helper (its environment, say), browserArgs to Chromium.
export function uiSuite(helperOptions: RealHelperOptions = {}, browserArgs: string[] = []): UiSuite {
  let helper: RealHelper | undefined;
  let browser: Browser | undefined;
  let sessions: PairedPage[] = [];

  before(async () => {
    ensureWebBuilt();
    helper = await RealHelper.start(helperOptions);
    browser = await launchChromium(browserArgs);
  });

  afterEach(async () => {
    const done = sessions;
    sessions = [];
    for (const s of done) await s.context.close();
    assert.deepEqual(
      done.flatMap((s) => s.consoleErrors.errors),
      [],
      'the page logged errors',
    );
  });

  after(async () => {
    await browser?.close();
    await helper?.stop();
  });

  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is not started yet: use it inside a test, after uiSuite()'s before hook`);
    return value;
  };

  return {
    get helper() {
      return started(helper, 'the helper');
    },
    get browser() {
      return started(browser, 'Chromium');
    },
    async pair(colorScheme: 'light' | 'dark' = 'light') {
      const session = await pairedPage(started(browser, 'Chromium'), started(helper, 'the helper'), colorScheme);
      sessions.push(session);
      return session;
    },
  };
}
