// A log line for something a flood repeats: the first occurrence is logged at once, then at
// most one line per interval with how many more happened, so a flood cannot flood the log.
export function countedLog(log: (line: string) => void, what: string, intervalMs = 10_000): () => void {
  let pending = 0;
  let total = 0;
  let timer: NodeJS.Timeout | null = null;
  return () => {
    total++;
    if (total === 1) return log(`${what}: the first one`);
    pending++;
    timer ??= setTimeout(() => {
      log(`${what}: ${pending} more (${total} in all)`);
      pending = 0;
      timer = null;
    }, intervalMs).unref();
  };
}
