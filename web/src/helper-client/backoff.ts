// How long to wait before reconnect attempt n (0-based): doubling from initialMs up to maxMs,
// spread by ±jitter so many tabs do not knock at the same moment.
export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  // 0.2 spreads each delay over ±20 %.
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 10_000, jitter: 0.2 };

export function backoffDelay(attempt: number, opts: BackoffOptions, random: () => number = Math.random): number {
  const base = Math.min(opts.maxMs, opts.initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(base * (1 + opts.jitter * (2 * random() - 1)));
}
