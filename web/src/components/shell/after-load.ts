// Runs `work` once the page has loaded and the browser has a moment to spare, for what the first
// screen does not need (the service worker's registration and its precache downloads). Before
// that, on a slow phone, it would compete with the page's own scripts for the network and the
// main thread. Returns a cancel function for an effect's cleanup.
export function afterLoadIdle(work: () => void, timeoutMs = 3_000): () => void {
  let cancelled = false;
  let idle: number | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const whenIdle = () => {
    if (cancelled) return;
    if (typeof requestIdleCallback === 'function') idle = requestIdleCallback(() => !cancelled && work(), { timeout: timeoutMs });
    else timer = setTimeout(() => !cancelled && work(), 0);
  };
  if (document.readyState === 'complete') whenIdle();
  else window.addEventListener('load', whenIdle, { once: true });
  return () => {
    cancelled = true;
    window.removeEventListener('load', whenIdle);
    if (idle !== undefined) cancelIdleCallback(idle);
    clearTimeout(timer);
  };
}
