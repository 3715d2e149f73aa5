// Percentiles over samples in milliseconds; nearest-rank, which is what people read p99 as.
export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? NaN;
}

export function median(samples: number[]): number {
  return percentile(samples, 50);
}

export function fmtMs(ms: number): string {
  return ms < 10 ? `${ms.toFixed(2)} ms` : `${ms.toFixed(1)} ms`;
}

// One result line: the figure, its baseline from the same run, the target, and whether it holds
// (null: the figure has no target of its own, so it is printed as INFO and never as a pass).
export function report(label: string, value: string, baseline: string, target: string, ok: boolean | null): void {
  process.stdout.write(`${ok === null ? 'INFO' : ok ? 'PASS' : 'MISS'}  ${label.padEnd(44)} ${value.padStart(12)}   baseline ${baseline.padStart(12)}   target ${target}\n`);
}
