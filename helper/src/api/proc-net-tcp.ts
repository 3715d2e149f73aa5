// Reading Linux's /proc/net/tcp, to learn which process owns the other end of a loopback
// connection. Pure text functions here; the file reading is in qemu-peer-check.ts.

// One endpoint as /proc/net/tcp prints it: IPv4 as 8 hex digits in host (little-endian) byte
// order, then the port in 4 hex digits, e.g. 127.0.0.1:47320 → "0100007F:B8D8".
export function procTcpEndpoint(ipv4: string, port: number): string {
  const bytes = ipv4.split('.').map((b) => Number(b));
  if (bytes.length !== 4 || bytes.some((b) => !Number.isInteger(b) || b < 0 || b > 255)) {
    throw new Error(`${JSON.stringify(ipv4)} is not an IPv4 address`);
  }
  const hexIp = [...bytes].reverse().map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hexIp}:${port.toString(16).padStart(4, '0')}`.toUpperCase();
}

// The socket inode of the connection whose local end is `local` and remote end `remote`, or
// null. Each line is "sl: local remote st tx:rx tr:when retrnsmt uid timeout inode …".
export function findSocketInode(procNetTcp: string, local: string, remote: string): number | null {
  // indexOf first: the file can hold thousands of lines during a flood, most of them not ours.
  const needle = ` ${local} ${remote} `;
  let at = procNetTcp.indexOf(needle);
  while (at >= 0) {
    const lineEnd = procNetTcp.indexOf('\n', at);
    const fields = procNetTcp.slice(at, lineEnd < 0 ? undefined : lineEnd).trim().split(/\s+/);
    // local remote st tx:rx tr:when retrnsmt uid timeout inode
    const inode = Number(fields[8]);
    if (Number.isSafeInteger(inode) && inode > 0) return inode;
    at = procNetTcp.indexOf(needle, at + 1);
  }
  return null;
}

// The inode of a /proc/<pid>/fd link target "socket:[12345]", or null for anything else.
export function socketInodeOfLink(target: string): number | null {
  const m = /^socket:\[(\d+)\]$/.exec(target);
  return m ? Number(m[1]) : null;
}
