import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';

// Records every aria-valuenow a job progress bar in the page takes, from inside the page (a
// MutationObserver sees each rendered value, however fast they come). `name` picks the bar by
// its aria-label; without it, any job progress bar.
export async function recordProgress(page: Page, name?: string): Promise<void> {
  const selector = `[role="progressbar"][data-testid="job-progress"]${name === undefined ? '' : `[aria-label=${JSON.stringify(name)}]`}`;
  // A string, not a function: tsx would wrap a function's inner closures in a helper the page lacks.
  await page.evaluate(`(() => {
    const seen = [];
    window.progressSeen = seen;
    new MutationObserver(() => {
      const bar = document.querySelector(${JSON.stringify(selector)});
      if (bar === null) return;
      const now = bar.getAttribute('aria-valuenow');
      if (seen.at(-1) !== now) seen.push(now);
    }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['aria-valuenow'] });
  })()`);
}

// The whole percentages recorded so far (an indeterminate bar, before the first step, has none).
export async function progressSeen(page: Page): Promise<number[]> {
  const raw = await page.evaluate(() => (window as unknown as { progressSeen: Array<string | null> }).progressSeen);
  return raw.filter((v): v is string => v !== null).map(Number);
}

// The bar moved, never went back, and stayed within 0…100.
export function assertRising(values: number[], where: string): void {
  assert.ok(new Set(values).size >= 2, `${where}: the bar moved (saw ${values.join(', ')})`);
  for (let i = 1; i < values.length; i++) assert.ok(values[i]! >= values[i - 1]!, `${where}: the bar never goes back (saw ${values.join(', ')})`);
  assert.ok(values.every((v) => v >= 0 && v <= 100));
}
