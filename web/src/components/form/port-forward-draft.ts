// One row as typed (ports stay text until checked).
export interface PortForwardDraft {
  protocol: 'tcp' | 'udp';
  hostAddress: string;
  hostPort: string;
  guestPort: string;
}

// Whole numbers only; anything else is NaN so the schema names the field.
export function wholeNumber(text: string): number {
  return /^\s*\d+\s*$/.test(text) ? Number(text) : Number.NaN;
}

// Typed rows → the config's port forwards (validated by shared's PortForward schema).
export function forwardsFromDraft(rows: readonly PortForwardDraft[]) {
  return rows.map((f) => ({ protocol: f.protocol, hostAddress: f.hostAddress.trim(), hostPort: wholeNumber(f.hostPort), guestPort: wholeNumber(f.guestPort) }));
}

// Two rows may not claim the same host address and port; returns row → message.
export function duplicateForwards(rows: readonly PortForwardDraft[]): Map<number, string> {
  const seen = new Map<string, number>();
  const dupes = new Map<number, string>();
  rows.forEach((f, i) => {
    const key = `${f.protocol}:${f.hostAddress.trim()}:${f.hostPort.trim()}`;
    const first = seen.get(key);
    if (first !== undefined) dupes.set(i, `host port ${f.hostPort.trim()} is already forwarded in row ${first + 1}`);
    else seen.set(key, i);
  });
  return dupes;
}
