import { z } from 'zod';

// One address of the guest, as its agent reports it (guest-network-get-interfaces).
export const GuestIp = z.object({
  interface: z.string(),
  address: z.string(),
  family: z.enum(['ipv4', 'ipv6']),
  prefix: z.number().int().min(0).max(128),
});
export type GuestIp = z.infer<typeof GuestIp>;

// The guest's operating system in its own words (guest-get-osinfo); any part may be missing.
export const GuestOs = z.object({
  // "Debian GNU/Linux", "Microsoft Windows"
  name: z.string().nullable(),
  // "12 (bookworm)", "10"
  version: z.string().nullable(),
  prettyName: z.string().nullable(),
  kernel: z.string().nullable(),
});
export type GuestOs = z.infer<typeof GuestOs>;

// What the helper knows from the QEMU guest agent of a running VM. `off`: the VM has no agent
// channel (its setting is off, or the host cannot offer one safely); `absent`: the channel is
// there but nothing in the guest answers (qemu-guest-agent not installed or not started yet), a
// normal state, not an error; `connected`: the agent answers, and the facts are its last answer.
export const GuestAgentState = z.enum(['off', 'absent', 'connected']);
export type GuestAgentState = z.infer<typeof GuestAgentState>;

export const GuestAgentInfo = z.object({
  state: GuestAgentState,
  hostname: z.string().nullable(),
  os: GuestOs.nullable(),
  // Loopback and link-local addresses are left out unless asked for (vm.guestInfo `all`).
  ips: z.array(GuestIp),
  // When the agent last answered; null if it never did in this run.
  lastSeen: z.string().datetime().nullable(),
});
export type GuestAgentInfo = z.infer<typeof GuestAgentInfo>;

// What a command run in the guest (vm.exec) gave back. Output is base64: a guest program may
// print any bytes. exitCode is null when a signal ended it.
export const GuestExecResult = z.object({
  exitCode: z.number().int().nullable(),
  signal: z.number().int().nullable(),
  stdout: z.string(),
  stderr: z.string(),
  // The agent keeps at most 16 MiB of each stream; past that it cuts and says so.
  truncated: z.boolean(),
});
export type GuestExecResult = z.infer<typeof GuestExecResult>;

// A file copied between the host and the guest: its size and SHA-256 as the helper streamed it.
export const GuestFileResult = z.object({
  bytes: z.number().int().min(0),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type GuestFileResult = z.infer<typeof GuestFileResult>;

// A path inside the guest, passed to its agent as is (absolute, in the guest's own syntax).
export const GuestPath = z
  .string()
  .min(1)
  .max(4096)
  .refine((s) => !s.includes('\u0000'), 'a path cannot contain NUL');

// What to tell someone whose guest has no agent: what to install, and where.
export const GUEST_AGENT_HINT =
  'install qemu-guest-agent in the guest and start it (Debian/Ubuntu: `sudo apt install qemu-guest-agent`; Fedora: `sudo dnf install qemu-guest-agent`; Windows: the virtio-win guest tools)';
