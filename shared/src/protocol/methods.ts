import { z } from 'zod';
import { VmConfig, VmId, VmName } from '../vm-config/schema';
import { VmCreateRequest, VmEditRequest } from '../vm-config/requests';
import { VmStatus } from '../vm-state/states';
import { HostFacts } from '../host/host-facts';

const ById = z.object({ id: VmId });

export const VmSummary = z.object({ config: VmConfig, status: VmStatus });
export type VmSummary = z.infer<typeof VmSummary>;

// A VM's consoles: its screen (SPICE, or VNC where QEMU has no SPICE) and its first serial port.
export const ConsoleChannel = z.enum(['display', 'serial']);
export type ConsoleChannel = z.infer<typeof ConsoleChannel>;
export const ConsoleProtocol = z.enum(['spice', 'vnc', 'serial']);
export type ConsoleProtocol = z.infer<typeof ConsoleProtocol>;

// What console.open hands back: connect WebSockets to `${path}?ticket=${ticket}` (plus
// `&channel=serial` for the serial console) before expiresAt. SPICE and VNC carry binary frames
// (subprotocol "binary"); the serial console sends the guest's raw bytes as binary frames and
// takes keystrokes as text or binary frames.
export const ConsoleTicket = z.object({
  ticket: z.string(),
  expiresAt: z.string().datetime(),
  path: z.string(),
  protocol: ConsoleProtocol,
});
export type ConsoleTicket = z.infer<typeof ConsoleTicket>;

// A paired client's token as listed: never the secret nor its hash; `current` marks the caller's own.
export const TokenInfo = z.object({
  id: z.string(),
  name: z.string(),
  createdAt: z.string().datetime(),
  lastUsedAt: z.string().datetime().nullable(),
  current: z.boolean(),
});
export type TokenInfo = z.infer<typeof TokenInfo>;

// A one-time pairing code: a browser trades it (POST /api/pair) for a token before expiresAt.
export const PairingCodeInfo = z.object({ code: z.string(), expiresAt: z.string().datetime() });
export type PairingCodeInfo = z.infer<typeof PairingCodeInfo>;

// Every method the helper serves: its params and result. The CLI, the UI and the server all
// read this one table, so a method cannot exist on one side only.
export const METHODS = {
  'host.doctor': { params: z.object({}).optional(), result: HostFacts },
  'vm.list': { params: z.object({}).optional(), result: z.array(VmSummary) },
  'vm.get': { params: ById, result: VmSummary },
  'vm.create': { params: VmCreateRequest, result: VmSummary },
  'vm.edit': { params: ById.extend({ changes: VmEditRequest }), result: VmSummary },
  'vm.start': { params: ById, result: VmStatus },
  'vm.stop': {
    params: ById.extend({
      force: z.boolean().default(false),
      // How long the guest gets to power off after the ACPI button before it is forced.
      timeoutMs: z.number().int().min(0).max(3_600_000).default(60_000),
    }),
    result: VmStatus,
  },
  'vm.pause': { params: ById, result: VmStatus },
  'vm.resume': { params: ById, result: VmStatus },
  'vm.reset': { params: ById, result: VmStatus },
  'vm.kill': { params: ById, result: VmStatus },
  // Deleting removes the VM's folder with its disks, so it needs the VM's name typed back.
  'vm.delete': { params: ById.extend({ confirmName: z.string() }), result: z.object({ id: VmId }) },
  'vm.clone': { params: ById.extend({ name: VmName.optional() }), result: VmSummary },
  'vm.status': { params: ById, result: VmStatus },
  // A short-lived ticket for the console WebSockets of one running VM.
  'console.open': { params: ById.extend({ channel: ConsoleChannel.default('display') }), result: ConsoleTicket },
  // The screen of a running VM as a PNG (base64); also kept as the library thumbnail.
  'vm.screenshot': { params: ById, result: z.object({ png: z.string(), takenAt: z.string().datetime() }) },
  // A new one-time pairing code, held only in the running helper's memory (`openutm pair`).
  'auth.pairingCode': { params: z.object({}).optional(), result: PairingCodeInfo },
  // The paired clients' tokens, oldest first (`openutm tokens`).
  'auth.tokens': { params: z.object({}).optional(), result: z.array(TokenInfo) },
  // Revokes a client token for good; its open connections close (`openutm tokens revoke <id>`).
  'auth.revoke': { params: z.object({ id: z.string().min(1).max(64) }), result: TokenInfo },
} as const;
export type MethodName = keyof typeof METHODS;
export type MethodParams<M extends MethodName> = z.input<(typeof METHODS)[M]['params']>;
export type MethodResult<M extends MethodName> = z.infer<(typeof METHODS)[M]['result']>;

// Events are notifications that something changed; clients re-read what they need.
export const EVENTS = {
  'vm.state': VmStatus,
  'vm.changed': z.object({ id: VmId }),
  'vm.removed': z.object({ id: VmId }),
  'job.progress': z.object({ job: z.string(), vm: VmId.optional(), done: z.number(), total: z.number(), label: z.string() }),
} as const;
export type EventName = keyof typeof EVENTS;
