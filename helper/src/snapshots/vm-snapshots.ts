import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  OpenUtmError,
  isLiveState,
  restoreWhyNot,
  snapshotBlocker,
  snapshotDisks,
  type JobProgress,
  type SnapshotInfo,
  type SnapshotList,
  type VmConfig,
  type VmState,
  type VmStatus,
} from '@openutm/shared';
import type { QmpClient } from '../qmp/qmp-client';
import { diskNodeName } from '../qemu-args/device-ids';
import { vmBundlePaths, vmFolder } from '../vm-library/library-paths';
import { runJob, type ReportStep } from '../vm-service/job-progress';
import { runSnapshotJob } from './qmp-job';
import { SnapshotStore, type SnapshotIndex, type StoredSnapshot } from './snapshot-store';
import { reconcile, type ImageSnapshot, type Reconciled } from './snapshot-reconcile';
import { allocatedBytes, imageSnapshots, liveSnapshots, offlineSnapshot } from './image-snapshots';
import { watchSnapshotJob } from './snapshot-progress';
import { convertRawDisks } from './convert-disks';

// What snapshots need from the engine; closures, so this module owns no VM process.
export interface SnapshotHost {
  libraryRoot: string;
  readConfig(id: string): Promise<VmConfig>;
  state(id: string): VmState;
  pid(id: string): number | null;
  monitor(id: string): QmpClient;
  // Runs work in the VM's queue, one request at a time (start, stop, edits and snapshots).
  exclusive<T>(id: string, work: () => Promise<T>): Promise<T>;
  qemuImg(): Promise<string>;
  screenshot(id: string): Promise<Buffer>;
  // Starts a shut-down VM, running `beforeRun` while it is still paused before its first instruction.
  start(id: string, beforeRun: (qmp: QmpClient) => Promise<void>): Promise<VmStatus>;
  status(id: string): VmStatus;
  writeConfig(config: VmConfig): Promise<VmConfig>;
  emitJob(progress: JobProgress): void;
  changed(id: string): void;
}

interface Disk {
  id: string;
  node: string;
  file: string;
}

const MiB = 1024 * 1024;

// Named snapshots of one VM at a time: internal qcow2 snapshots of every writable disk, with the
// memory state in the first disk when the VM runs (QEMU's snapshot-save/-load/-delete jobs),
// or through qemu-img when it is shut down. Names, notes and thumbnails live in the VM folder.
export class VmSnapshots {
  // Memory state sizes by name from the last clean-up (read under the VM's queue, used right after).
  private lastComplete = new Map<string, number>();

  constructor(private readonly host: SnapshotHost) {}

  async list(id: string): Promise<SnapshotList> {
    const config = await this.host.readConfig(id);
    const state = this.host.state(id);
    const store = this.store(id);
    const [index, { complete }] = await this.reconciled(id, config, store);
    const snapshots = await Promise.all(complete.map((s) => this.info(store, s)));
    const current = complete.some((s) => s.tag === index.current) ? index.current : null;
    return { snapshots, current, blocker: snapshotBlocker(config, state, await this.migrationBlockers(id, state)) };
  }

  save(id: string, name: string, notes: string, job?: string): Promise<SnapshotInfo> {
    return this.host.exclusive(id, async () => {
      const config = await this.host.readConfig(id);
      const state = this.host.state(id);
      const blocker = snapshotBlocker(config, state, await this.migrationBlockers(id, state));
      if (blocker) throw new OpenUtmError('CONFLICT', `cannot take a snapshot: ${blocker.reason}${blocker.fix ? `; ${blocker.fix.text}` : ''}`, { blocker });
      const store = this.store(id);
      const index = await this.cleanUp(id, config, store);
      if (index.snapshots.some((s) => s.name === name)) {
        throw new OpenUtmError('CONFLICT', `this VM already has a snapshot named "${name}"; pick another name or delete that one first`);
      }
      const tag = `ou-${randomBytes(6).toString('hex')}`;
      const live = isLiveState(state);
      const disks = this.disks(id, config);
      return runJob({ job, vm: id, kind: 'snapshot', label: `Saving snapshot "${name}"`, emit: (p) => this.host.emitJob(p) }, async (report) => {
        const before = await allocatedBytes(disks.map((d) => d.file));
        // The screen is dumped before the save job starts (QEMU takes monitor commands in order),
        // while reading and storing the picture goes on beside the job.
        const thumbnail = live ? this.host.screenshot(id).then((png) => store.saveThumbnail(tag, png).then(() => true), () => false) : Promise.resolve(false);
        const efiVars = vmBundlePaths(this.host.libraryRoot, id).efiVars;
        const hasVars = existsSync(efiVars);
        const keepVars = hasVars ? () => store.keepEfiVars(tag, efiVars) : null;
        await Promise.all([live ? this.saveLive(id, tag, disks, config.system.memoryMiB * MiB, keepVars, report) : this.saveOffline(tag, disks, keepVars), thumbnail]);
        const entry: StoredSnapshot = {
          tag,
          name,
          notes,
          createdAt: new Date().toISOString(),
          memory: live,
          diskBytes: Math.max(0, (await allocatedBytes(disks.map((d) => d.file))) - before),
          thumbnail: await thumbnail,
          efiVars: hasVars,
        };
        // Only now is it listed: a crash before this line leaves tags that cleanUp deletes.
        await store.write({ ...index, current: tag, snapshots: [...index.snapshots, entry] });
        this.host.changed(id);
        return this.info(store, { ...entry, vmStateBytes: 0 });
      });
    });
  }

  // A running VM goes back to the snapshot's memory and disks; a shut-down VM gets the disks, and
  // with a memory snapshot it starts right where the snapshot was taken.
  async restore(id: string, name: string, job?: string): Promise<VmStatus> {
    const state = this.host.state(id);
    if (isLiveState(state)) return this.host.exclusive(id, () => this.restoreNow(id, name, job)).then(() => this.host.status(id));
    const coldStart = await this.host.exclusive(id, () => this.restoreNow(id, name, job));
    if (coldStart === null) return this.host.status(id);
    return this.host.start(id, (qmp) => this.loadInto(id, qmp, coldStart, job));
  }

  async remove(id: string, name: string, job?: string): Promise<SnapshotList> {
    await this.host.exclusive(id, async () => {
      const config = await this.host.readConfig(id);
      const store = this.store(id);
      const index = await this.cleanUp(id, config, store);
      const entry = this.find(index, name);
      await runJob({ job, vm: id, kind: 'snapshot', label: `Deleting snapshot "${name}"`, emit: (p) => this.host.emitJob(p) }, async () => {
        await this.deleteTags(id, new Map(this.disks(id, config).map((d) => [d.id, [entry.tag]])), config);
        await store.write({ ...index, current: index.current === entry.tag ? null : index.current, snapshots: index.snapshots.filter((s) => s.tag !== entry.tag) });
        await store.removeFiles(entry.tag);
      });
    });
    this.host.changed(id);
    return this.list(id);
  }

  // The way out of "raw disks cannot hold snapshots" (shut-down VMs only).
  convertDisks(id: string, job?: string): Promise<VmConfig> {
    return this.host.exclusive(id, async () => {
      const state = this.host.state(id);
      if (state !== 'stopped' && state !== 'crashed') throw new OpenUtmError('INVALID_STATE', `cannot convert the disks of a VM that is ${state}: shut it down first`);
      const config = await this.host.readConfig(id);
      const qemuImg = await this.host.qemuImg();
      const next = await runJob({ job, vm: id, kind: 'edit', label: 'Converting disks to qcow2', emit: (p) => this.host.emitJob(p) }, (report) =>
        convertRawDisks(config, vmFolder(this.host.libraryRoot, id), qemuImg, report).then((c) => this.host.writeConfig(c)),
      );
      this.host.changed(id);
      return next;
    });
  }

  // The tag (and stored files) of a complete snapshot by name, for clones.
  async lookup(id: string, name: string): Promise<{ tag: string; efiVars: string | null }> {
    const config = await this.host.readConfig(id);
    const store = this.store(id);
    const [index, { complete }] = await this.reconciled(id, config, store);
    const entry = complete.find((s) => s.name === name) ?? this.find(index, name);
    return { tag: entry.tag, efiVars: entry.efiVars ? store.efiVarsPath(entry.tag) : null };
  }

  // Within the queue: a live restore loads now (null); a shut-down VM gets its disks (and UEFI
  // variables) back now, and the memory snapshot's tag is returned for the start that follows.
  private async restoreNow(id: string, name: string, job?: string): Promise<string | null> {
    const config = await this.host.readConfig(id);
    const state = this.host.state(id);
    const store = this.store(id);
    const [index, vmStateBytes] = await this.cleanUp(id, config, store).then((i) => [i, this.lastComplete.get(`${id}/${name}`) ?? 0] as const);
    const entry = this.find(index, name);
    const why = restoreWhyNot(entry, state);
    if (why) throw new OpenUtmError('INVALID_STATE', why);
    const disks = this.disks(id, config);
    const efiVars = vmBundlePaths(this.host.libraryRoot, id).efiVars;
    if (entry.efiVars && !isLiveState(state)) await store.restoreEfiVars(entry.tag, efiVars);
    if (isLiveState(state)) {
      await this.loadInto(id, this.host.monitor(id), entry.tag, job, { name, vmStateBytes, running: state === 'running', disks });
      // QEMU writes the flash it loaded back into the store only when the guest runs again (a
      // running one at once); a paused VM may be stopped before that, so the store is put back here.
      if (entry.efiVars && state !== 'running') await store.rewriteEfiVars(entry.tag, efiVars);
    } else if (!entry.memory) {
      await runJob({ job, vm: id, kind: 'snapshot', label: `Restoring snapshot "${name}"`, emit: (p) => this.host.emitJob(p) }, async () => {
        for (const d of disks) await offlineSnapshot(await this.host.qemuImg(), '-a', entry.tag, d.file);
      });
    }
    await store.write({ ...index, current: entry.tag });
    this.host.changed(id);
    return isLiveState(state) || !entry.memory ? null : entry.tag;
  }

  // `known`: what the caller has already read (a live restore), so the load costs no extra round trips.
  private async loadInto(id: string, qmp: QmpClient, tag: string, job?: string, known?: { name: string; vmStateBytes: number; running: boolean; disks: Disk[] }): Promise<void> {
    const disks = known?.disks ?? this.disks(id, await this.host.readConfig(id));
    const name = known?.name ?? (await this.store(id).read()).snapshots.find((s) => s.tag === tag)?.name ?? tag;
    const label = `Restoring snapshot "${name}"`;
    await runJob({ job, vm: id, kind: 'snapshot', label, emit: (p) => this.host.emitJob(p) }, async (report) => {
      const running = known?.running ?? false;
      const total = known?.vmStateBytes ?? [...(await liveSnapshots(qmp, disks.map((d) => d.node))).values()].flat().filter((s) => s.tag === tag).reduce((a, s) => a + s.vmStateBytes, 0);
      const stop = await watchSnapshotJob({ pid: this.host.pid(id), direction: 'read', files: [], total, label, report });
      try {
        await runSnapshotJob(qmp, 'snapshot-load', { tag, vmstate: disks[0]!.node, devices: disks.map((d) => d.node) }, `load-${tag}`);
      } catch (e) {
        // QEMU leaves the VM stopped after a failed load; a VM that ran keeps running as it was.
        if (running) await qmp.execute('cont').catch(() => undefined);
        throw e;
      } finally {
        stop();
      }
    });
  }

  private async saveLive(id: string, tag: string, disks: Disk[], ramBytes: number, keepVars: (() => Promise<void>) | null, report: ReportStep): Promise<void> {
    const qmp = this.host.monitor(id);
    const label = 'Writing memory and disks';
    // The variable store is copied while the guest cannot write to it, so it matches the memory.
    const { running } = keepVars ? await qmp.execute<{ running: boolean }>('query-status') : { running: false };
    if (running) await qmp.execute('stop');
    const stop = await watchSnapshotJob({ pid: this.host.pid(id), direction: 'write', files: disks.map((d) => d.file), total: ramBytes, label, report });
    try {
      await runSnapshotJob(qmp, 'snapshot-save', { tag, vmstate: disks[0]!.node, devices: disks.map((d) => d.node) }, `save-${tag}`);
      if (keepVars) await keepVars();
    } finally {
      stop();
      if (running) await qmp.execute('cont');
    }
  }

  private async saveOffline(tag: string, disks: Disk[], keepVars: (() => Promise<void>) | null): Promise<void> {
    const qemuImg = await this.host.qemuImg();
    const done: Disk[] = [];
    try {
      for (const d of disks) {
        await offlineSnapshot(qemuImg, '-c', tag, d.file);
        done.push(d);
      }
      if (keepVars) await keepVars();
    } catch (e) {
      for (const d of done) await offlineSnapshot(qemuImg, '-d', tag, d.file).catch(() => undefined);
      throw e;
    }
  }

  // Deletes what a crash left half-made: tags no listed snapshot owns, entries whose tags are gone.
  private async cleanUp(id: string, config: VmConfig, store: SnapshotStore): Promise<SnapshotIndex> {
    const [index, r] = await this.reconciled(id, config, store);
    for (const s of r.complete) this.lastComplete.set(`${id}/${s.name}`, s.vmStateBytes);
    if (r.leftoverTags.size > 0) await this.deleteTags(id, r.leftoverTags, config);
    if (r.staleEntries.length === 0) return index;
    const next = { ...index, snapshots: index.snapshots.filter((s) => !r.staleEntries.includes(s.tag)) };
    if (next.current !== null && r.staleEntries.includes(next.current)) next.current = null;
    await store.write(next);
    for (const tag of r.staleEntries) await store.removeFiles(tag);
    return next;
  }

  private async deleteTags(id: string, tags: ReadonlyMap<string, readonly string[]>, config: VmConfig): Promise<void> {
    const disks = this.disks(id, config);
    const live = isLiveState(this.host.state(id));
    const present = await this.imageSnapshots(id, disks, live);
    for (const d of disks) {
      for (const tag of tags.get(d.id) ?? []) {
        if (!present.get(d.id)?.some((s) => s.tag === tag)) continue;
        if (live) await runSnapshotJob(this.host.monitor(id), 'snapshot-delete', { tag, devices: [d.node] }, `delete-${tag}-${d.node}`);
        else await offlineSnapshot(await this.host.qemuImg(), '-d', tag, d.file);
      }
    }
  }

  private async reconciled(id: string, config: VmConfig, store: SnapshotStore): Promise<[SnapshotIndex, Reconciled]> {
    const index = await store.read();
    const disks = this.disks(id, config).filter((d) => config.disks.find((c) => c.id === d.id)?.format === 'qcow2');
    const images = await this.imageSnapshots(id, disks, isLiveState(this.host.state(id)));
    return [index, reconcile(index, images)];
  }

  private async imageSnapshots(id: string, disks: Disk[], live: boolean): Promise<Map<string, ImageSnapshot[]>> {
    if (live) {
      const byNode = await liveSnapshots(this.host.monitor(id), disks.map((d) => d.node));
      return new Map(disks.map((d) => [d.id, byNode.get(d.node) ?? []]));
    }
    const qemuImg = disks.length > 0 ? await this.host.qemuImg() : '';
    return new Map(await Promise.all(disks.map(async (d) => [d.id, await imageSnapshots(qemuImg, d.file)] as const)));
  }

  private async migrationBlockers(id: string, state: VmState): Promise<string[]> {
    if (!isLiveState(state)) return [];
    const info = await this.host.monitor(id).execute<{ 'blocked-reasons'?: string[] }>('query-migrate');
    return info['blocked-reasons'] ?? [];
  }

  private find(index: SnapshotIndex, name: string): StoredSnapshot {
    const entry = index.snapshots.find((s) => s.name === name);
    if (!entry) {
      const names = index.snapshots.map((s) => `"${s.name}"`).join(', ');
      throw new OpenUtmError('NOT_FOUND', `this VM has no snapshot named "${name}"; ${names ? `it has ${names}` : 'it has none'} (\`openutm snapshot list\`)`);
    }
    return entry;
  }

  // Writable disks with their QEMU node names (indexed over all disks, as the argument builder does).
  private disks(id: string, config: VmConfig): Disk[] {
    const folder = vmFolder(this.host.libraryRoot, id);
    const writable = new Set(snapshotDisks(config).map((d) => d.id));
    return config.disks.flatMap((d, i) => (writable.has(d.id) ? [{ id: d.id, node: diskNodeName(i), file: path.join(folder, d.file) }] : []));
  }

  private store(id: string): SnapshotStore {
    return new SnapshotStore(vmFolder(this.host.libraryRoot, id));
  }

  private async info(store: SnapshotStore, s: StoredSnapshot & { vmStateBytes: number }): Promise<SnapshotInfo> {
    return {
      tag: s.tag,
      name: s.name,
      notes: s.notes,
      createdAt: s.createdAt,
      memory: s.memory,
      thumbnail: s.thumbnail ? await store.readThumbnail(s.tag) : null,
      vmStateBytes: s.vmStateBytes,
      diskBytes: s.diskBytes,
    };
  }
}
