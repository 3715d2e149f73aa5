import { OpenUtmError, type PortForward } from '@openutm/shared';

const UNITS: Record<string, number> = { '': 1, m: 1, mb: 1, mib: 1, g: 1024, gb: 1024, gib: 1024, t: 1024 * 1024, tb: 1024 * 1024, tib: 1024 * 1024 };

// "20G", "512M", "2048" (MiB) → MiB; sizes people type, not bytes.
export function parseSizeMiB(text: string, what: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  const unit = m ? UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined) {
    throw new OpenUtmError('BAD_REQUEST', `${what} "${text}" is not a size; write e.g. 512M, 20G or 2048 (MiB)`);
  }
  const mib = Math.round(Number(m[1]) * unit);
  if (mib < 1) throw new OpenUtmError('BAD_REQUEST', `${what} must be at least 1 MiB`);
  return mib;
}

// "tcp:2222:22", "udp:127.0.0.1:5353:53", "8080:80" → a port forward (tcp and loopback by default).
export function parsePortForward(text: string): PortForward {
  const parts = text.split(':');
  let protocol: 'tcp' | 'udp' = 'tcp';
  if (parts[0] === 'tcp' || parts[0] === 'udp') protocol = parts.shift() as 'tcp' | 'udp';
  const guestPort = Number(parts.pop());
  const hostPort = Number(parts.pop());
  const hostAddress = parts.length > 0 ? parts.join(':').replace(/^\[|\]$/g, '') : '127.0.0.1';
  const port = (n: number) => Number.isInteger(n) && n >= 1 && n <= 65535;
  if (!port(hostPort) || !port(guestPort)) {
    throw new OpenUtmError('BAD_REQUEST', `port forward "${text}" should look like tcp:2222:22 or udp:127.0.0.1:5353:53`);
  }
  return { protocol, hostAddress, hostPort, guestPort };
}
