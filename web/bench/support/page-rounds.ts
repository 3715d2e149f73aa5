// The agent bench's page side: the same clipboard and file exchanges as the floor's
// (agent-floors.ts), done through the console page in a bare Chromium (bare-chromium.ts) and
// timed on one clock (performance.timeOrigin + now(), in the page and here), so that no round
// trip to the browser falls inside a figure.
import { randomBytes } from 'node:crypto';
import { withTimeout } from '../../../helper/src/vm-service/with-timeout';
import type { RealHelper } from '../../test/support/real-helper';
import type { BareChromium } from './bare-chromium';
import type { SerialShell } from './serial-shell';

const wallNow = () => performance.timeOrigin + performance.now();

// Before the page loads: notes when the page has written a text to its clipboard (what the
// guest copied), for the clock; benchWritten(text) resolves with that time.
const NOTE_WRITES = `{
  const write = navigator.clipboard.writeText.bind(navigator.clipboard);
  const written = new Map();
  const waiting = new Map();
  window.benchWritten = (text) => written.has(text) ? Promise.resolve(written.get(text)) : new Promise((resolve) => waiting.set(text, resolve));
  navigator.clipboard.writeText = (t) => write(t).then(() => {
    const at = performance.timeOrigin + performance.now();
    written.set(t, at);
    waiting.get(t)?.(at);
  });
}`;

// Pairs the page through its pairing link and opens the VM's console; resolves once the guest
// agent shares the clipboard.
export async function openConsole(page: BareChromium, helper: RealHelper, id: string): Promise<void> {
  await page.call('Page.enable', {});
  await page.call('Page.addScriptToEvaluateOnNewDocument', { source: NOTE_WRITES });
  // Headless, the page would never have the focus the clipboard asks for.
  await page.call('Emulation.setFocusEmulationEnabled', { enabled: true });
  const pairButton = `[...document.querySelectorAll('button')].find((b) => b.textContent.trim() === 'Pair')`;
  await page.goto(helper.pairing().url, pairButton);
  await page.evaluate(`${pairButton}.click()`);
  // Paired once the app leaves the pairing page for the library; going on before that loses the
  // pairing (one bench run waited 3 minutes on a console that said "Not paired").
  await page.evaluate(`new Promise((resolve, reject) => {
    const until = Date.now() + 60000;
    const check = () => {
      if (!/\\/pair\\/?$/.test(location.pathname)) resolve(true);
      else if (Date.now() > until) reject(new Error('the page did not pair within 60 s: ' + document.body.innerText.slice(0, 300)));
      else setTimeout(check, 50);
    };
    check();
  })`);
  await showConsole(page, helper, id);
}

// The VM's console again (the page is paired); resolves once the guest agent shares the clipboard.
export async function showConsole(page: BareChromium, helper: RealHelper, id: string): Promise<void> {
  await page.goto(`${helper.origin}/console?vm=${encodeURIComponent(id)}`, `document.querySelector('[data-testid="console-clipboard"][data-shared="true"]')`, 180_000);
}

// Leaves the console (its SPICE session closes) for a blank page, so another client can connect.
export async function leaveConsole(page: BareChromium): Promise<void> {
  await page.goto('about:blank', `location.href === 'about:blank'`);
}

// Guest to page: the copy is typed on the serial console; the clock stops when the page has
// written the text to its clipboard.
export async function guestToPage(shell: SerialShell, page: BareChromium, rounds: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const text = randomBytes(512).toString('hex');
    // Waits in the page without polling (which would take CPU from the guest meanwhile).
    const written = withTimeout(page.evaluate<number>(`window.benchWritten(${JSON.stringify(text)})`), 120_000).catch((e: unknown) => {
      throw e instanceof Error && e.message === 'timeout' ? new Error('the page did not write the guest text to its clipboard within 2 min') : e;
    });
    const t0 = wallNow();
    shell.send(`printf %s ${text} | xclip -i -selection clipboard`);
    times.push((await written) - t0);
  }
  return times;
}

// Page to guest: the guest already polls its clipboard for the text when the page offers it
// (Send clipboard, clicked in the page, where its clock starts); the clock stops at the guest's
// answer on the serial console.
export async function pageToGuest(shell: SerialShell, page: BareChromium, rounds: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const text = randomBytes(512).toString('hex');
    const tag = `got${i}x${randomBytes(2).toString('hex')}`;
    await page.evaluate(`navigator.clipboard.writeText(${JSON.stringify(text)})`);
    const seen = shell.until(new RegExp(`${tag}-ok`), 120_000).then(wallNow);
    shell.send(`until [ "$(xclip -o -selection clipboard 2>/dev/null | head -c 16)" = ${text.slice(0, 16)} ]; do :; done; echo ${tag}-ok`);
    const t0 = await page.evaluate<number>(`(() => {
      const button = [...document.querySelectorAll('button')].find((b) => b.textContent.trim() === 'Send clipboard');
      if (!button) throw new Error('no Send clipboard button');
      const at = performance.timeOrigin + performance.now();
      button.click();
      return at;
    })()`);
    times.push((await seen) - t0);
  }
  return times;
}

// A file of `size` bytes dropped on the console, until its row says the guest has written it.
export async function dropAndTime(page: BareChromium, name: string, size: number): Promise<number> {
  return page.evaluate<number>(`(async () => {
    const name = ${JSON.stringify(name)}, size = ${size};
    const bytes = new Uint8Array(size);
    crypto.getRandomValues(bytes.subarray(0, 65536));
    for (let at = 65536; at < size; at *= 2) bytes.copyWithin(at, 0, Math.min(at, size - at));
    const data = new DataTransfer();
    data.items.add(new File([bytes], name));
    const target = document.querySelector('[data-testid="console-viewport"]');
    const t0 = performance.now();
    for (const type of ['dragenter', 'dragover', 'drop']) target.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: data }));
    // Checked as the page changes, not every frame: a polling loop would take CPU from the copy.
    return await new Promise((resolve, reject) => {
      const check = () => {
        const row = [...document.querySelectorAll('[data-testid="file-transfer"]')].find((r) => r.textContent.includes(name));
        if (row?.dataset.state === 'done') resolve(performance.now() - t0);
        else if (row && (row.dataset.state === 'failed' || row.dataset.state === 'cancelled')) reject(new Error(row.textContent));
        else return;
        observer.disconnect();
      };
      const observer = new MutationObserver(check);
      observer.observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-state'] });
      check();
    });
  })()`);
}
