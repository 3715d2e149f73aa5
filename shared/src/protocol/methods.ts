import { z } from 'zod';
import { DiskConfig, HostPath, VmConfig, VmId, VmName } from '../vm-config/schema';
import { VmCreateRequest, VmEditRequest } from '../vm-config/requests';
import { VmStatus } from '../vm-state/states';
import { SnapshotInfo, SnapshotList, SnapshotName } from '../vm-state/snapshots';
import { HostFacts } from '../host/host-facts';
import { DiscBoot } from '../host/disc-boot';
import { GuestAgentInfo, GuestExecResult, GuestFileResult, GuestPath } from '../guest-agent/guest-agent';
import { DiskToolResult, DiskUsage } from './disk-tools';

const ById = z.object({ id: VmId });

// Abilities of a method that a newer UI must not assume, listed in the welcome's capabilities
// next to the method names. An older helper's vm.edit drops sections it does not know without
// a word, so the UI offers disk, CD drive and preset edits only when the helper lists this.
export const FEATURES = {
  driveEdits: 'vm.edit.drives',
  // vm.edit takes a job id and reports the disk image work (imports) as job.progress.
  editJob: 'vm.edit.job',
  // vm.disks, vm.diskConvert, vm.diskCompact and job.cancel (disk jobs can be cancelled).
  diskTools: 'vm.diskTools',
  // vm.start takes `try` (throwaway overlays, then vm.tryKeep or vm.tryDiscard). An older helper
  // would drop the flag and start for real, so the UI offers a try only when this is listed.
  tryMode: 'vm.start.try',
} as const;
export type Feature = (typeof FEATURES)[keyof typeof FEATURES];

// Names one long operation (a clone, a create, an edit's disk work) in its job.progress events. The client picks it
// and sends it with the request, so it can tell its own job's events from the start; without
// one the helper picks it. Older helpers drop the field and send no progress.
export const JobId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a job id is 1 to 64 letters, digits, _ or -');
export type JobId = z.infer<typeof JobId>;

// Where a long operation stands: `running` events come as it goes (done never decreases), then
// exactly one `done` (done === total) or `failed` (with the error the request also answers).
// Events from helpers before `state` existed have no state and mean `running`.
export const JobProgress = z.object({
  job: z.string(),
  vm: VmId.optional(),
  done: z.number(),
  total: z.number(),
  label: z.string(),
  state: z.enum(['running', 'done', 'failed']).optional(),
  // What the job does, so a viewer can name it; absent from older helpers, whose jobs about a
  // VM were clones only.
  kind: z.enum(['create', 'clone', 'edit', 'transfer', 'type', 'snapshot', 'disk', 'try-keep', 'suspend', 'restore']).optional(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
});
export type JobProgress = z.infer<typeof JobProgress>;

// How vm.type reaches the guest: keystrokes on its keyboard (what a SPICE or VNC viewer sends,
// in the VM's keyboard layout), or bytes on its serial port (no layout). auto: the keyboard when
// the VM has a display, else the serial port.
export const TypeVia = z.enum(['auto', 'keyboard', 'serial']);
export type TypeVia = z.infer<typeof TypeVia>;

// The most text one vm.type takes: ~15 minutes of keystrokes at the paced rate.
export const MAX_TYPED_CHARS = 20_000;

export const TypeResult = z.object({
  // Characters typed (a line end counts as one).
  typed: z.number().int().min(0),
  via: z.enum(['keyboard', 'serial']),
});
export type TypeResult = z.infer<typeof TypeResult>;

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
// takes keystrokes as text or binary frames. `password` comes only where QEMU's display listens
// on loopback TCP (Windows hosts): the SPICE ticket or VNC password of this run of the VM, which
// the client gives QEMU itself. Older helpers never send it. `clipboard` comes with VNC only:
// whether QEMU relays the clipboard of the guest's SPICE agent (its qemu-vdagent); absent, no.
export const ConsoleTicket = z.object({
  ticket: z.string(),
  expiresAt: z.string().datetime(),
  path: z.string(),
  protocol: ConsoleProtocol,
  password: z.string().min(1).optional(),
  clipboard: z.boolean().optional(),
});
export type ConsoleTicket = z.infer<typeof ConsoleTicket>;

// A paired client's token as listed: never the secret nor its hash; `current` marks the caller's own.
export const TokenInfo = z.object({
  id: z.string(),
  name: z.string(),
  createdAt: z.string().datetime(),
  lastUsedAt: z.string().datetime().nullable(),
  current: z.boolean(),
  // When the token stops working unless used before then (each use moves it); helpers before
  // token expiry leave it out.
  expiresAt: z.string().datetime().optional(),
});
export type TokenInfo = z.infer<typeof TokenInfo>;

// A one-time pairing code: a browser trades it (POST /api/pair) for a token before expiresAt.
export const PairingCodeInfo = z.object({ code: z.string(), expiresAt: z.string().datetime() });
export type PairingCodeInfo = z.infer<typeof PairingCodeInfo>;

// One entry of a host folder as host.browse lists it. A symlink says where it points and what
// is there, so the file chooser can tell a link to an ISO from a dangling one.
export const HostDirEntry = z.object({
  name: z.string(),
  kind: z.enum(['file', 'directory', 'symlink', 'other']),
  // Bytes for files (a symlink's target size when it points at a file); null otherwise.
  size: z.number().int().min(0).nullable(),
  hidden: z.boolean(),
  link: z
    .object({ target: z.string(), targetKind: z.enum(['file', 'directory', 'missing', 'other']) })
    .nullable(),
});
export type HostDirEntry = z.infer<typeof HostDirEntry>;

// A shortcut in the file chooser: home, Downloads, where removable media is mounted.
export const HostPlace = z.object({ name: z.string(), path: z.string(), kind: z.enum(['home', 'downloads', 'removable']) });
export type HostPlace = z.infer<typeof HostPlace>;

// A folder on the helper's computer: its absolute path, its parent (null at a root), the
// user's home, and its entries (folders first). Huge folders are cut at a limit, and say so.
export const HostDirListing = z.object({
  path: z.string(),
  parent: z.string().nullable(),
  home: z.string(),
  entries: z.array(HostDirEntry),
  truncated: z.boolean(),
  // Shortcuts that exist on this computer; absent from older helpers.
  places: z.array(HostPlace).optional(),
});
export type HostDirListing = z.infer<typeof HostDirListing>;

// The end of a VM's logs: while it runs, from its runtime files; after it stopped, the copy
// kept in its bundle. Each list holds at most `lines` lines from the file's last 64 KiB.
export const VmLogTail = z.object({
  id: VmId,
  source: z.enum(['running', 'last-run', 'none']),
  qemu: z.array(z.string()),
  serial: z.array(z.string()),
});
export type VmLogTail = z.infer<typeof VmLogTail>;

// Every method the helper serves: its params and result. The CLI, the UI and the server all
// read this one table, so a method cannot exist on one side only.
export const METHODS = {
  'host.doctor': { params: z.object({}).optional(), result: HostFacts },
  // Lists a folder on the helper's computer (the wizard's ISO chooser); no path: ~/Downloads or ~.
  'host.browse': {
    params: z.object({ path: HostPath.optional(), showHidden: z.boolean().default(false) }),
    result: HostDirListing,
  },
  // What a disc image can boot (its El Torito entries), so the wizard can pick firmware for it.
  'host.inspectMedia': { params: z.object({ path: HostPath }), result: DiscBoot },
  'vm.list': { params: z.object({}).optional(), result: z.array(VmSummary) },
  'vm.get': { params: ById, result: VmSummary },
  'vm.create': { params: VmCreateRequest.extend({ job: JobId.optional() }), result: VmSummary },
  'vm.edit': { params: ById.extend({ changes: VmEditRequest, job: JobId.optional() }), result: VmSummary },
  // A suspended VM resumes where it was saved (job: the restore's progress); others boot.
  // try: start on throwaway overlays over every writable disk and the UEFI variables; after it
  // stops, vm.tryKeep commits the changes into the real disks, vm.tryDiscard drops them.
  'vm.start': { params: ById.extend({ try: z.boolean().default(false), job: JobId.optional() }), result: VmStatus },
  // The choice after a try (status.tryMode 'pending'): keep commits the overlays into the real
  // disks as a job (job.progress of kind 'try-keep'); discard deletes them, leaving every disk
  // as it was before the try.
  'vm.tryKeep': { params: ById.extend({ job: JobId.optional() }), result: VmStatus },
  'vm.tryDiscard': { params: ById, result: VmStatus },
  // Saves the whole state of a running or paused VM in its folder and ends QEMU: it becomes
  // suspended, and the next vm.start resumes it. job: the save's progress.
  'vm.suspend': { params: ById.extend({ job: JobId.optional() }), result: VmStatus },
  // Throws a suspended VM's saved state away (what ran in it is lost): it becomes stopped.
  'vm.discardState': { params: ById, result: VmStatus },
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
  'vm.clone': { params: ById.extend({ name: VmName.optional(), job: JobId.optional() }), result: VmSummary },
  'vm.status': { params: ById, result: VmStatus },
  // The last lines of the VM's QEMU log and serial console (bounded), for the detail page.
  'vm.log': { params: ById.extend({ lines: z.number().int().min(1).max(1000).default(200) }), result: VmLogTail },
  // What the guest agent says now (asked afresh when it answers): hostname, OS, addresses;
  // `all` keeps loopback and link-local addresses too.
  'vm.guestInfo': { params: ById.extend({ all: z.boolean().default(false) }), result: GuestAgentInfo },
  // Runs a program in the guest through its agent and waits for it: output, exit code. `path`
  // is looked up on the guest's PATH; stdin is base64. Refused with GUEST_AGENT_ABSENT without an agent.
  'vm.exec': {
    params: ById.extend({
      path: z.string().min(1).max(4096),
      args: z.array(z.string().max(65_536)).max(1024).default([]),
      stdin: z.string().max(512 * 1024).optional(),
      timeoutMs: z.number().int().min(100).max(3_600_000).default(60_000),
    }),
    result: GuestExecResult,
  },
  // Copies a file of the helper's computer into the guest, and back; the helper streams it in
  // chunks (job.progress as it goes). Only the app on this computer (the CLI) may: these read
  // and write files of the host where the caller says.
  'vm.filePush': { params: ById.extend({ hostPath: HostPath, guestPath: GuestPath, job: JobId.optional() }), result: GuestFileResult },
  'vm.filePull': {
    params: ById.extend({ guestPath: GuestPath, hostPath: HostPath, overwrite: z.boolean().default(false), job: JobId.optional() }),
    result: GuestFileResult,
  },
  // Types text into a running VM, paced so the guest loses none, as job.progress of kind
  // 'type'. Text with characters the VM's keyboard layout has no key for is refused whole
  // (UNTYPABLE_TEXT, each one named in the message and in details.untypable).
  'vm.type': {
    params: ById.extend({ text: z.string().min(1).max(MAX_TYPED_CHARS), via: TypeVia.default('auto'), job: JobId.optional() }),
    result: TypeResult,
  },
  // Stops the typing under way into a VM after the current character; that vm.type then fails
  // with CANCELLED. typing: whether there was any.
  'vm.cancelTyping': { params: ById, result: z.object({ typing: z.boolean() }) },
  // Named snapshots (internal qcow2 snapshots, with memory when the VM runs). A snapshot is
  // listed only when every disk holds it and its notes were written, so a half-made one never shows.
  'vm.snapshots': { params: ById, result: SnapshotList },
  'vm.snapshotSave': {
    params: ById.extend({ name: SnapshotName, notes: z.string().max(10_000).default(''), job: JobId.optional() }),
    result: SnapshotInfo,
  },
  // Brings the VM back to the snapshot; a running VM's state since then is lost. A snapshot with
  // memory restored into a shut-down VM starts it where the snapshot left it.
  'vm.snapshotRestore': { params: ById.extend({ name: SnapshotName, job: JobId.optional() }), result: VmStatus },
  'vm.snapshotDelete': { params: ById.extend({ name: SnapshotName, job: JobId.optional() }), result: SnapshotList },
  // A new VM whose disks are copies of this VM's disks as they were in the snapshot.
  'vm.snapshotClone': {
    params: ById.extend({ name: SnapshotName, newName: VmName.optional(), job: JobId.optional() }),
    result: VmSummary,
  },
  // Converts the VM's writable raw disks to qcow2 (the raw images stay, detached), so it can take snapshots.
  'vm.convertDisks': { params: ById.extend({ job: JobId.optional() }), result: VmSummary },
  // Each attached disk's virtual size beside its real size on the host.
  'vm.disks': { params: ById, result: z.array(DiskUsage) },
  // Rewrites a shut-down VM's disk image in the other format (qcow2 ↔ raw) as a job that
  // job.cancel can stop; the VM is unchanged unless it succeeds. Refused without the free space.
  'vm.diskConvert': { params: ById.extend({ disk: DiskConfig.shape.id, format: DiskConfig.shape.format, job: JobId.optional() }), result: DiskToolResult },
  // Rewrites a shut-down VM's disk image without its unused and zeroed blocks, in place.
  'vm.diskCompact': { params: ById.extend({ disk: DiskConfig.shape.id, job: JobId.optional() }), result: DiskToolResult },
  // Stops a job that can be stopped (disk convert and compact); its request then fails with CANCELLED.
  'job.cancel': { params: z.object({ job: JobId }), result: z.object({ job: JobId }) },
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
  'job.progress': JobProgress,
} as const;
export type EventName = keyof typeof EVENTS;
