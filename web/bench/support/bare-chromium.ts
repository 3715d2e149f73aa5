// Chromium as a person runs it, for the agent bench's page side: launched on its own and driven
// through the DevTools protocol's Runtime domain alone. Playwright enables the Network domain on
// every page it drives, and Chromium then copies every WebSocket frame, base64-encoded, out to
// it: on a 2-core machine that work (a 20 MiB file is 2000 frames) took CPU from the emulated
// guest and cost the page a third of its file throughput. No browser a person uses does that.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { CHROMIUM } from '../../test/support/browser';

interface Pending {
  resolve: (v: Record<string, unknown>) => void;
  reject: (e: Error) => void;
}

export class BareChromium {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private sessionId = '';

  private constructor(
    private readonly child: ChildProcess,
    private readonly ws: WebSocket,
    private readonly profile: string,
  ) {
    ws.on('message', (data) => {
      const m = JSON.parse(data.toString()) as { id?: number; result?: Record<string, unknown>; error?: { message: string } };
      const p = m.id === undefined ? undefined : this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id!);
      if (m.error) p.reject(new Error(m.error.message));
      else p.resolve(m.result ?? {});
    });
  }

  // A headless Chromium with a fresh profile and one page, at `url`, its clipboard permitted to
  // `origin`.
  static async launch(origin: string, viewport = { width: 1280, height: 800 }): Promise<BareChromium> {
    const profile = await mkdtemp(path.join(os.tmpdir(), 'openutm-bare-chromium-'));
    const child = spawn(
      CHROMIUM,
      ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--remote-debugging-port=0', `--user-data-dir=${profile}`, `--window-size=${viewport.width},${viewport.height}`, 'about:blank'],
      { stdio: 'ignore' },
    );
    let port = '';
    for (const until = Date.now() + 30_000; !port && Date.now() < until; ) {
      port = (await readFile(path.join(profile, 'DevToolsActivePort'), 'utf8').catch(() => '')).split('\n')[0] ?? '';
      if (!port) await new Promise((r) => setTimeout(r, 100));
    }
    if (!port) throw new Error('Chromium did not open its DevTools port');
    const version = (await (await fetch(`http://127.0.0.1:${port}/json/version`)).json()) as { webSocketDebuggerUrl: string };
    const ws = new WebSocket(version.webSocketDebuggerUrl, { perMessageDeflate: false, maxPayload: 256 << 20 });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const browser = new BareChromium(child, ws, profile);
    await browser.call('Browser.grantPermissions', { origin, permissions: ['clipboardReadWrite', 'clipboardSanitizedWrite'] }, false);
    const { targetInfos } = (await browser.call('Target.getTargets', {}, false)) as { targetInfos: Array<{ targetId: string; type: string }> };
    const target = targetInfos.find((t) => t.type === 'page');
    if (!target) throw new Error('Chromium opened no page');
    const { sessionId } = (await browser.call('Target.attachToTarget', { targetId: target.targetId, flatten: true }, false)) as { sessionId: string };
    browser.sessionId = sessionId;
    return browser;
  }

  // A DevTools command, to the page (or to the browser).
  call(method: string, params: Record<string, unknown>, toPage = true): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.ws.send(JSON.stringify({ id, method, params, ...(toPage ? { sessionId: this.sessionId } : {}) }));
    });
  }

  // Evaluates `expression` (a promise is awaited) and returns its value.
  async evaluate<T>(expression: string): Promise<T> {
    const r = (await this.call('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true, userGesture: true })) as {
      result: { value?: T };
      exceptionDetails?: { exception?: { description?: string }; text: string };
    };
    if (r.exceptionDetails) throw new Error(r.exceptionDetails.exception?.description ?? r.exceptionDetails.text);
    return r.result.value as T;
  }

  // Loads `url` and resolves once `ready` (an expression) holds, checked every 100 ms.
  async goto(url: string, ready: string, timeoutMs = 60_000): Promise<void> {
    await this.call('Page.navigate', { url });
    for (const until = Date.now() + timeoutMs; ; ) {
      if (await this.evaluate<boolean>(`!!(${ready})`).catch(() => false)) return;
      if (Date.now() > until) {
        // What the page said, for whoever reads the failure.
        const said = await this.evaluate<string>(`document.body?.innerText.replace(/\\s+/g, ' ').slice(0, 600) ?? ''`).catch(() => '');
        throw new Error(`${url}: not ready (${ready}) within ${timeoutMs} ms; the page said: ${said}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async close(): Promise<void> {
    this.ws.close();
    this.child.kill();
    await new Promise((r) => this.child.once('exit', r));
    // Its helper processes may still be writing the profile as the main one exits.
    await rm(this.profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  }
}
