import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { OpenUtmError, migrationBlockerFix, type Accelerator, type HostOs, type VmStatus } from '@openutm/shared';
import type { QmpClient } from '../qmp/qmp-client';
import { sendSignal } from '../qemu-process/process-control';
import { syncDirectory } from '../vm-library/atomic-write';
import { runJob, type JobOptions, type ReportStep } from './job-progress';
import { listenForState, type StreamEndpoint } from './migration-stream';
import { UNLIMITED_BANDWIDTH, enableMigrationEvents, migrationOutcome, type MigrationInfo } from './migration-watch';
import { STATE_FILE, savedStatePaths, writeStateFacts, type SavedStateFacts } from './saved-state';
import type { VmSupervisor } from './vm-supervisor';
import { withTimeout } from './with-timeout';

// How long QEMU gets to exit after the state is saved (its disks are already flushed by then).
const QUIT_GRACE_MS = 10_000;

export interface SuspendInput {
  sup: VmSupervisor;
  qmp: QmpClient;
  vmFolder: string;
  // The VM's private runtime dir, where the unix socket of the stream is made.
  runtimeDir: string;
  // Loopback TCP for the stream (Windows, where Node has no AF_UNIX).
  tcp: boolean;
  hostOs: HostOs;
  // The guest's RAM, the progress bar's length until QEMU says how much it has to send.
  memoryMiB: number;
  // Where the save's progress goes.
  job: Pick<JobOptions, 'job' | 'vm' | 'emit'>;
}

// Suspend to disk: the guest is paused, QEMU migrates it into the helper's socket, the helper
// writes the stream to <vm>/suspended.state.partial, syncs it and renames it into place, and only
// then QEMU is told to quit. Migration ends with the disks flushed and QEMU's images inactive, so
// nothing the guest wrote is left in QEMU. Any failure before the rename gives the VM back as it
// was (running again if it ran) and leaves no file behind.
export async function suspendToDisk(input: SuspendInput): Promise<VmStatus> {
  await runJob({ ...input.job, kind: 'suspend', label: 'Suspending' }, (report) => saveAndQuit(input, report));
  return input.sup.status();
}

async function saveAndQuit(input: SuspendInput, report: ReportStep): Promise<void> {
  const { sup, qmp } = input;
  const files = savedStatePaths(input.vmFolder);
  const wasRunning = sup.state === 'running';
  const endpoint: StreamEndpoint = input.tcp ? { kind: 'tcp' } : { kind: 'unix', path: path.join(input.runtimeDir, 'suspend.sock') };
  const label = 'Saving the VM’s memory';
  // Before anything changes: QEMU would refuse the migration anyway, in words that name no way out.
  const blocked = (await qmp.execute<{ 'blocked-reasons'?: string[] }>('query-migrate'))['blocked-reasons'] ?? [];
  if (blocked.length > 0) {
    throw new OpenUtmError('CONFLICT', `cannot suspend: QEMU cannot save this VM's memory (${blocked.join('; ')}); ${migrationBlockerFix(blocked)}. The VM goes on as it was.`);
  }
  let total = input.memoryMiB * 2 ** 20;
  report({ done: 0, total, label });
  const sink = await listenForState(endpoint, files.partial).catch((e: unknown) => {
    throw saveFailed(e, input.vmFolder);
  });
  sup.dispatch({ type: 'suspend-requested' });
  let outcome: Promise<MigrationInfo> | null = null;
  try {
    const facts = await stateFacts(qmp, input.hostOs, wasRunning);
    await enableMigrationEvents(qmp);
    await qmp.execute('migrate-set-parameters', { 'max-bandwidth': UNLIMITED_BANDWIDTH });
    // A paused guest dirties no memory, so every page is sent once and the disks hold still.
    if (wasRunning) await qmp.execute('stop');
    await qmp.execute('migrate', { uri: sink.uri });
    // Progress in guest RAM sent (zero pages take a few bytes of the file, so its size says little).
    outcome = migrationOutcome(qmp, ({ ram }) => {
      if (ram?.total) report({ done: ram.total - (ram.remaining ?? ram.total), total: (total = ram.total), label });
    });
    // A write that fails (a full disk) cuts the socket; QEMU's migration then fails as well.
    const [bytes] = await Promise.all([sink.written, outcome.then((i) => (i.status === 'completed' ? i : Promise.reject(migrationError(i))))]);
    await writeStateFacts(input.vmFolder, { ...facts, bytes });
    await rename(files.partial, files.state);
    await syncDirectory(input.vmFolder);
  } catch (e) {
    sink.abort();
    await giveBack(qmp, outcome, wasRunning);
    await rm(files.partial, { force: true }).catch(() => undefined);
    await rm(files.facts, { force: true }).catch(() => undefined);
    const status = await qmp.execute<{ status: string }>('query-status').catch(() => null);
    if (status) sup.dispatch({ type: 'suspend-abandoned', qmpStatus: status.status });
    throw saveFailed(e, input.vmFolder);
  }
  report({ done: total, total, label: 'Ending QEMU' });
  sup.markQuitExpected();
  qmp.execute('quit').catch(() => undefined);
  try {
    await withTimeout(sup.exited(), QUIT_GRACE_MS);
  } catch {
    // The state is safe on disk and the disks were flushed by the migration's end.
    if (sup.pid !== null) sendSignal(sup.pid, 'SIGKILL');
    await sup.exited();
  }
}

// The QEMU that saved the state, so the resume can ask for the same board and accelerator.
async function stateFacts(qmp: QmpClient, hostOs: HostOs, running: boolean): Promise<Omit<SavedStateFacts, 'bytes'>> {
  const v = qmp.greeting.QMP.version.qemu;
  const type = await qmp.execute<string>('qom-get', { path: '/machine', property: 'type' }).catch(() => null);
  const machine = typeof type === 'string' && /^[A-Za-z0-9._-]+-machine$/.test(type) ? type.slice(0, -'-machine'.length) : null;
  const kvm = await qmp.execute<{ enabled: boolean }>('query-kvm').catch(() => null);
  // Without KVM a Linux QEMU runs TCG; elsewhere the accelerator is left to the VM's settings.
  const accelerator: Accelerator | null = kvm?.enabled ? 'kvm' : hostOs === 'linux' ? 'tcg' : null;
  return { savedAt: new Date().toISOString(), qemuVersion: `${v.major}.${v.minor}.${v.micro}`, machine, accelerator, running };
}

// After a failed save: the migration stopped, the guest running again if it ran before.
async function giveBack(qmp: QmpClient, outcome: Promise<MigrationInfo> | null, wasRunning: boolean): Promise<void> {
  await qmp.execute('migrate_cancel').catch(() => undefined);
  if (outcome) await withTimeout(outcome, QUIT_GRACE_MS).catch(() => undefined);
  if (wasRunning) await qmp.execute('cont').catch(() => undefined);
}

function migrationError(info: MigrationInfo): OpenUtmError {
  return new OpenUtmError('QMP_ERROR', `QEMU could not save the VM's state (migration ${info.status ?? 'failed'}${info['error-desc'] ? `: ${info['error-desc']}` : ''})`);
}

// A full disk says so and what to do; other failures keep their own words.
function saveFailed(e: unknown, vmFolder: string): OpenUtmError {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  const keeps = 'The VM goes on as it was; nothing was saved.';
  if (code === 'ENOSPC' || code === 'EDQUOT' || code === 'EFBIG') {
    return new OpenUtmError('IO_ERROR', `the VM's state did not fit on the disk holding ${vmFolder} (${code}). ${keeps} Free some space there (about as much as the VM's memory) and suspend again.`, { errno: code });
  }
  if (e instanceof OpenUtmError) return new OpenUtmError(e.code, `${e.message}. ${keeps}`, e.details);
  const message = e instanceof Error ? e.message : String(e);
  return new OpenUtmError('IO_ERROR', `could not write ${STATE_FILE} in ${vmFolder}: ${message}. ${keeps}`, code ? { errno: code } : undefined);
}
