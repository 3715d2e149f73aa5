import { z } from 'zod';
import type { GuestExecResult, GuestIp, GuestOs } from '@openutm/shared';

// The agent's answers as QEMU's qga/qapi-schema.json describes them; every field it marks
// optional is optional here, and unknown fields pass (newer agents add some).
export const QgaHostName = z.object({ 'host-name': z.string() });

export const QgaOsInfo = z.object({
  'kernel-release': z.string().optional(),
  'kernel-version': z.string().optional(),
  machine: z.string().optional(),
  id: z.string().optional(),
  name: z.string().optional(),
  'pretty-name': z.string().optional(),
  version: z.string().optional(),
  'version-id': z.string().optional(),
});

export const QgaInterfaces = z.array(
  z.object({
    name: z.string(),
    'ip-addresses': z
      .array(z.object({ 'ip-address-type': z.enum(['ipv4', 'ipv6']), 'ip-address': z.string(), prefix: z.number().int() }))
      .optional(),
  }),
);
export type QgaInterfaces = z.infer<typeof QgaInterfaces>;

export const QgaExecStarted = z.object({ pid: z.number().int() });

export const QgaExecStatus = z.object({
  exited: z.boolean(),
  exitcode: z.number().int().optional(),
  signal: z.number().int().optional(),
  'out-data': z.string().optional(),
  'err-data': z.string().optional(),
  'out-truncated': z.boolean().optional(),
  'err-truncated': z.boolean().optional(),
});
export type QgaExecStatus = z.infer<typeof QgaExecStatus>;

export const QgaFileRead = z.object({ count: z.number().int().min(0), 'buf-b64': z.string(), eof: z.boolean() });
export const QgaFileWrite = z.object({ count: z.number().int().min(0), eof: z.boolean() });

// The OS as people name it: the distribution's name and version, the kernel apart.
export function guestOs(info: z.infer<typeof QgaOsInfo>): GuestOs {
  const orNull = (s: string | undefined) => (s === undefined || s.trim() === '' ? null : s.trim());
  return {
    name: orNull(info.name) ?? orNull(info.id),
    version: orNull(info.version) ?? orNull(info['version-id']),
    prettyName: orNull(info['pretty-name']),
    kernel: orNull(info['kernel-release']),
  };
}

// Whether an address is reachable only from the guest itself or its own link: loopback
// (127/8, ::1) and link-local (169.254/16, fe80::/10). Those are left out unless asked for.
export function isLocalOnly(ip: Pick<GuestIp, 'address' | 'family'>): boolean {
  if (ip.family === 'ipv4') return ip.address.startsWith('127.') || ip.address.startsWith('169.254.');
  const a = ip.address.toLowerCase();
  return a === '::1' || /^fe[89ab][0-9a-f]:/.test(a);
}

// The guest's addresses, IPv4 first (the one people type), in the agent's interface order.
export function guestIps(interfaces: QgaInterfaces, opts: { all: boolean }): GuestIp[] {
  const ips: GuestIp[] = interfaces.flatMap((iface) =>
    (iface['ip-addresses'] ?? []).map((a) => ({ interface: iface.name, address: a['ip-address'], family: a['ip-address-type'], prefix: a.prefix })),
  );
  const shown = opts.all ? ips : ips.filter((ip) => !isLocalOnly(ip));
  return [...shown.filter((ip) => ip.family === 'ipv4'), ...shown.filter((ip) => ip.family === 'ipv6')];
}

// A finished guest-exec-status as the API returns it.
export function execResult(status: QgaExecStatus): GuestExecResult {
  return {
    exitCode: status.exitcode ?? null,
    signal: status.signal ?? null,
    stdout: status['out-data'] ?? '',
    stderr: status['err-data'] ?? '',
    truncated: status['out-truncated'] === true || status['err-truncated'] === true,
  };
}
