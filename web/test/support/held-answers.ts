import type { Page } from 'playwright-core';

// A slow phone, made deterministic: the page's scripts and the helper's WebSocket messages are
// held back until the first screen has been painted, then let through in order (scripts, then
// the helper's answer). Whatever moves after that is a layout shift a person would see.
export interface HeldAnswers {
  // Lets the scripts run, waits for hydration, then lets the helper's messages through.
  release(): Promise<void>;
  // The two halves of release(), for a test that looks at the page in between.
  releaseScripts(): Promise<void>;
  releaseSocket(): void;
}

export async function holdAnswers(page: Page): Promise<HeldAnswers> {
  let scriptsGo: () => void = () => undefined;
  const scriptsHeld = new Promise<void>((resolve) => (scriptsGo = resolve));
  await page.route(/\/_next\/static\/.*\.js(\?|$)/, async (route) => {
    await scriptsHeld;
    await route.continue();
  });
  let socketGo: () => void = () => undefined;
  const socketHeld = new Promise<void>((resolve) => (socketGo = resolve));
  await page.routeWebSocket(/\/api$/, (ws) => {
    const server = ws.connectToServer();
    ws.onMessage((m) => server.send(m));
    const queue: Array<string | Buffer> = [];
    let open = false;
    void socketHeld.then(() => {
      open = true;
      for (const m of queue.splice(0)) ws.send(m);
    });
    server.onMessage((m) => (open ? ws.send(m) : queue.push(m)));
  });
  const releaseScripts = async () => {
    // The static HTML is on screen before anything else happens.
    await page.waitForFunction(() => performance.getEntriesByName('first-contentful-paint').length > 0);
    scriptsGo();
    await page.waitForLoadState('load');
    await settle(page);
  };
  return {
    async release() {
      await releaseScripts();
      socketGo();
    },
    releaseScripts,
    releaseSocket: () => socketGo(),
  };
}

// Two animation frames: whatever the last change laid out has been painted.
export async function settle(page: Page): Promise<void> {
  await page.evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));
}

// Records every layout shift of the pages opened after this, from their first moment.
export async function recordLayoutShifts(page: Page): Promise<void> {
  // A string, not a function: tsx would wrap named inner functions in a helper the page lacks.
  await page.addInitScript(`(() => {
    window.layoutShifts = [];
    const describe = (n) => n instanceof Element
      ? n.tagName.toLowerCase() + '.' + [...n.classList].slice(0, 4).join('.') + ' "' + (n.textContent || '').trim().slice(0, 40) + '"'
      : String(n && n.nodeName);
    const keep = (entries) => {
      for (const e of entries) if (!e.hadRecentInput) window.layoutShifts.push({ value: e.value, nodes: (e.sources || []).map((s) => describe(s.node)) });
    };
    const observer = new PerformanceObserver((list) => keep(list.getEntries()));
    observer.observe({ type: 'layout-shift', buffered: true });
    // Entries not yet handed to the callback (it runs as a later task) are taken at once.
    window.flushShifts = () => keep(observer.takeRecords());
  })();`);
}

// The page's cumulative layout shift so far (each shift counted, not only the worst window, so
// this is stricter than Lighthouse's CLS), with what moved.
export async function layoutShift(page: Page): Promise<{ total: number; shifted: string[] }> {
  await settle(page);
  return page.evaluate(() => {
    const w = window as unknown as { layoutShifts: Array<{ value: number; nodes: string[] }>; flushShifts: () => void };
    w.flushShifts();
    const shifts = w.layoutShifts;
    return { total: shifts.reduce((sum, e) => sum + e.value, 0), shifted: shifts.flatMap((e) => e.nodes.map((n) => `${e.value.toFixed(4)} ${n}`)) };
  });
}
