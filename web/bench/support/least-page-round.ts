// The file copy's in-browser floor, driven from the bench: least-page-client.ts bundled for the
// browser, run in the bench's own Chromium on a page of the helper's origin that runs no app
// code, through a console.open ticket of the helper's bridge (the way the console goes).
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import type { RealHelper } from '../../test/support/real-helper';
import { consoleSocketUrl } from '../../src/helper-client/helper-address';
import type { BareChromium } from './bare-chromium';
import type { CpuTally } from './cpu-use';

let bundle: Promise<string> | null = null;

function leastPageBundle(): Promise<string> {
  bundle ??= build({
    stdin: {
      contents: "import { leastPageCopy } from './least-page-client'; (globalThis as { leastPageCopy?: unknown }).leastPageCopy = leastPageCopy;",
      resolveDir: fileURLToPath(new URL('.', import.meta.url)),
      loader: 'ts',
    },
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    write: false,
  }).then((r) => r.outputFiles[0]!.text);
  return bundle;
}

// One copy of `bytes` into the guest by the least page client; the page must not hold the
// console (one SPICE session at a time).
export async function leastPageRound(page: BareChromium, helper: RealHelper, vm: string, id: number, bytes: number, tally: CpuTally): Promise<number> {
  const code = await leastPageBundle();
  await page.goto(`${helper.origin}/icon.svg`, `location.pathname === '/icon.svg'`);
  await page.evaluate(`${code}; true`);
  const t = await (await helper.api()).call('console.open', { id: vm, channel: 'display' });
  const url = consoleSocketUrl(helper.origin, t.path, t.ticket, 'display');
  return tally.around(() => page.evaluate<number>(`globalThis.leastPageCopy(${JSON.stringify(url)}, ${id}, ${bytes})`));
}
