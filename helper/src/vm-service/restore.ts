import { closeSync, open as openCb } from 'node:fs';
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import { promisify } from 'node:util';
import { OpenUtmError } from '@openutm/shared';
import type { QmpClient } from '../qmp/qmp-client';
import { runJob, type JobOptions, type ReportStep } from './job-progress';
import { launchQemu, type LaunchOptions, type LaunchedQemu } from '../qemu-process/launch';
import { feedState, migrationUri } from './migration-stream';
import { enableMigrationEvents, migrationOutcome, type MigrationInfo } from './migration-watch';
import { STATE_FILE, removeSavedState, type SavedState, type SavedStateFacts } from './saved-state';
import type { VmSupervisor } from './vm-supervisor';

// The command line of a resume: the VM's own, on the board version that saved the state (an
// upgraded QEMU's plain q35 is a newer board the stream does not fit), waiting for the stream.
export function resumeArgs(args: readonly string[], facts: SavedStateFacts | null): string[] {
  const out = [...args];
  const at = out.indexOf('-machine');
  if (facts?.machine && at >= 0 && at + 1 < out.length) {
    const value = out[at + 1]!;
    const comma = value.indexOf(',');
    out[at + 1] = facts.machine + (comma >= 0 ? value.slice(comma) : '');
  }
  out.push('-incoming', 'defer');
  return out;
}

// The descriptor a resuming QEMU finds its saved state on (the first after stdin, out and err).
const STATE_FD = 3;
// How often the restore's progress is read while QEMU reads the state itself.
const PROGRESS_MS = 200;

// Launches QEMU for a start; a resume's QEMU waits for its stream (resumeArgs). Where the stream
// can come from a file (not on Windows, whose QEMU is fed over loopback TCP), QEMU inherits the
// state file open for reading and reads it itself: the helper copies nothing, and nothing is
// parsed from a path (the library's may hold commas). QEMU keeps its own copy of the descriptor.
export async function launchForStart(opts: LaunchOptions, saved: SavedState | null, tcp: boolean): Promise<LaunchedQemu> {
  if (!saved) return launchQemu(opts);
  const args = resumeArgs(opts.args, saved.facts);
  if (tcp) return launchQemu({ ...opts, args });
  const fd = await openFd(saved.file, 'r').catch((e: NodeJS.ErrnoException) => {
    throw new OpenUtmError('IO_ERROR', `cannot read the saved state ${saved.file}: ${e.message}`);
  });
  try {
    return await launchQemu({ ...opts, args, passFds: [fd] });
  } finally {
    closeSync(fd);
  }
}

export interface RestoreInput {
  sup: VmSupervisor;
  qmp: QmpClient;
  saved: SavedState;
  runtimeDir: string;
  tcp: boolean;
  report: ReportStep;
}

export interface RunGuestInput extends Omit<RestoreInput, 'saved' | 'report'> {
  saved: SavedState | null;
  vmFolder: string;
  // Where the restore's progress goes (a fresh boot has none worth showing).
  job: Pick<JobOptions, 'job' | 'vm' | 'emit'>;
}

// Lets a just-launched QEMU (paused under -S) run its guest: a fresh boot continues at once; a
// resume first takes the saved state back, and only once the guest is back is the state spent.
export async function runGuest(input: RunGuestInput): Promise<void> {
  const { sup, qmp, saved } = input;
  if (!saved) {
    await qmp.execute('cont');
    return sup.waitFor((s) => s === 'running', 10_000, 'start running');
  }
  await runJob({ ...input.job, kind: 'restore', label: 'Resuming' }, (report) => restoreFromDisk({ ...input, saved, report }));
  await sup.waitFor((s) => s === 'running' || (saved.facts?.running === false && s === 'paused'), 10_000, 'resume');
  // A state left behind would be stale, and is removed at the VM's next exit at the latest.
  await removeSavedState(input.vmFolder).catch((e: Error) => sup.setWarnings([...sup.status().warnings ?? [], e.message]));
}

// Feeds the saved state to a QEMU started with resumeArgs (still paused under -S): QEMU listens
// (migrate-incoming), the helper connects and sends the file. A stream QEMU cannot load makes it
// exit, which the caller reports with QEMU's own last words. Then the guest goes on as it was
// saved: running, or paused if its user had paused it.
export async function restoreFromDisk(input: RestoreInput): Promise<void> {
  const { qmp, saved, report } = input;
  const label = 'Restoring the VM’s memory';
  report({ done: 0, total: saved.bytes, label });
  const progress = (bytes: number) => report({ done: Math.min(bytes, saved.bytes - 1), total: saved.bytes, label });
  await enableMigrationEvents(qmp);
  let info: MigrationInfo;
  if (input.tcp) {
    const address = { kind: 'tcp', port: await freeLoopbackPort() } as const;
    await qmp.execute('migrate-incoming', { uri: migrationUri(address) });
    const outcome = migrationOutcome(qmp);
    outcome.catch(() => undefined);
    await feedState(saved.file, address, progress);
    info = await outcome;
  } else {
    await qmp.execute('migrate-incoming', { uri: `fd:${STATE_FD}` });
    const pid = input.sup.pid;
    const timer = pid === null ? undefined : setInterval(() => void readOffset(pid, STATE_FD).then((at) => at !== null && progress(at)), PROGRESS_MS);
    info = await migrationOutcome(qmp).finally(() => clearInterval(timer));
  }
  if (info.status !== 'completed') {
    throw new OpenUtmError('QEMU_FAILED', `QEMU could not load the saved state (${info.status}${info['error-desc'] ? `: ${info['error-desc']}` : ''})`);
  }
  report({ done: saved.bytes, total: saved.bytes, label });
  if (saved.facts?.running === false) input.sup.dispatch({ type: 'attached', qmpStatus: 'paused' });
  else await qmp.execute('cont');
}

// A start that could not take the saved state back says how to go on without it.
export function restoreFailed(failure: unknown, saved: SavedState | null, name: string): unknown {
  if (!saved || !(failure instanceof OpenUtmError)) return failure;
  const from = saved.facts ? ` (saved by QEMU ${saved.facts.qemuVersion} on ${saved.facts.savedAt})` : '';
  return new OpenUtmError(
    failure.code,
    `${failure.message}\nThe saved state of ${name}${from} could not be resumed; it is kept in ${STATE_FILE}. Discard it (\`openutm discard-state\`, or "Discard saved state" on the VM's page) to start the VM afresh: what ran in it is lost.`,
    failure.details,
  );
}

// How far a process has read an open file, where the system says (Linux's /proc); elsewhere the
// restore's progress stays at its start until the end.
async function readOffset(pid: number, fd: number): Promise<number | null> {
  const text = await readFile(`/proc/${pid}/fdinfo/${fd}`, 'utf8').catch(() => '');
  const pos = /^pos:\s*(\d+)$/m.exec(text);
  return pos ? Number(pos[1]) : null;
}

const openFd = promisify(openCb);

// A loopback port free now, for QEMU to listen on (Windows). Should another program take it in
// between, migrate-incoming fails and the start says so.
async function freeLoopbackPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
