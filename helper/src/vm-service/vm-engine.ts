import { EventEmitter } from 'node:events';
import { rm, rmdir } from 'node:fs/promises';
import { OpenUtmError, canPerform, isActive, whyNot, type HostOs, type JobProgress, type VmAction, type VmConfig } from '@openutm/shared';
import type { VmCreateRequest, VmEditRequest, VmLogTail, VmStatus } from '@openutm/shared';
import { QmpClient } from '../qmp/qmp-client';
import { readPidFile, type LaunchedQemu } from '../qemu-process/launch';
import { connectWhenReady, explainStartFailure } from './qemu-start';
import { isAlive } from '../qemu-process/process-control';
import type { RuntimePaths } from '../runtime/runtime-paths';
import { readDisplayPassword } from '../runtime/display-password';
import { readLaunchWarnings } from '../runtime/launch-warnings-file';
import { pickLoopbackPorts, type EndpointPorts } from '../runtime/loopback-ports';
import { VmLibrary } from '../vm-library/vm-library';
import { vmBundlePaths, vmFolder } from '../vm-library/library-paths';
import type { SerialHub } from '../console-bridge/serial-hub';
import { SerialHubs } from './serial-hubs';
import { RM_RUNTIME_DIR, forceQuit, rollbackStart, shutDown } from './quit-qemu';
import { consoleTargetFor, type ConsoleTarget } from '../console-bridge/console-target';
import { ScreenshotTaker } from '../console-bridge/screenshot';
import { VmSupervisor } from './vm-supervisor';
import { clearCrash, loadCrash, unresponsiveQemu } from './crash-log';
import { prepareLaunch } from './prepare-launch';
import { freshRuntimeDir } from './fresh-runtime-dir';
import { VmCatalog, type CloneSource } from './vm-catalog';
import { helperPlaces } from './helper-files';
import { SerialQueue } from './serial-queue';
import { keepLastRunLogs, readVmLogs } from './vm-logs';
import { runJob } from './job-progress';
import { runEditJob } from './edit-job';
import { changeMedia, queryMedia, type DriveMedia } from './live-media';
import { VmCompanions, companionsFor } from '../companions/vm-companions';
import type { RunningCompanion } from '../companions/companion-process';
import type { EngineEvents, EngineOptions } from './engine-options';
import { GuestAgents } from '../guest-agent/guest-agents';
import { VmSnapshots } from '../snapshots/vm-snapshots';
import { DiskTools } from './disk-tools';
import { TryModes } from './try-mode';
import { VmPlaces } from './vm-places';
import { suspendToDisk } from './suspend';
import { launchForStart, restoreFailed, runGuest } from './restore';
import { adoptSavedState, discardSavedState, readSavedState } from './saved-state';
import { cleanUpAfterExit, type ExitInfo } from './exit-cleanup';

export type { EngineEvents, EngineOptions } from './engine-options';

// The one owner of VM processes: composes the library, the QEMU process layer, QMP and the
// state machine. Every lifecycle request goes through here.
export class VmEngine extends EventEmitter<EngineEvents> {
  private readonly supervisors = new Map<string, VmSupervisor>();
  private readonly queue = new SerialQueue();
  // The serial console of every VM whose QEMU the helper watches (started on attach, stopped on exit).
  private readonly serialHubs = new SerialHubs();
  private readonly screenshots = new ScreenshotTaker();
  // swtpm and the like: started before QEMU, ended with it.
  private readonly companions = new VmCompanions();
  readonly catalog: VmCatalog;
  // The QEMU guest agents of running VMs: their facts go into each VM's status.
  readonly guest: GuestAgents;
  readonly snapshots: VmSnapshots;
  readonly disks: DiskTools;
  // Try mode: throwaway overlays, then keep or discard (see try-mode.ts).
  readonly tries: TryModes;
  private readonly hostOs: HostOs;
  private readonly tcpEndpoints: boolean;
  private readonly places: VmPlaces;
  private readonly jobEvent = (p: JobProgress) => this.emit('progress', p);

  private constructor(
    readonly library: VmLibrary,
    private readonly opts: EngineOptions,
  ) {
    super();
    this.hostOs = opts.hostOs ?? (process.platform as HostOs);
    this.tcpEndpoints = this.hostOs === 'win32' || opts.endpoints === 'tcp';
    this.places = new VmPlaces(library.root, opts.runtimeRoot, this.hostOs, this.tcpEndpoints);
    const isIdle = (id: string) => !isActive(this.supervisors.get(id)?.state ?? 'stopped');
    this.catalog = new VmCatalog(library, opts.hostFacts, {
      isIdle,
      stateOf: (id) => this.supervisors.get(id)?.state ?? 'stopped',
      liveMedia: (id, drive, iso) => changeMedia(this.monitor(this.supervisor(id)), drive, iso),
      helperPlaces: () => helperPlaces({ libraryRoot: library.root, runtimeRoot: opts.runtimeRoot }),
    });
    const [paths, guard] = [(id: string) => this.paths(id).guestAgent, (id: string) => this.catalog.guard(id)];
    this.disks = new DiskTools({ library, hostFacts: opts.hostFacts, queue: this.queue, stateOf: (id) => this.supervisors.get(id)?.state ?? 'stopped', emitJob: this.jobEvent, changed: (id) => this.emit('changed', { id }) });
    const [folder, changed] = [(id: string) => vmFolder(library.root, id), (id: string) => this.supervisors.has(id) && this.emit('state', this.supervisor(id).status())];
    this.tries = new TryModes({ folder, isIdle, changed, queue: this.queue, emitJob: this.jobEvent, qemuImg: async () => (await opts.hostFacts()).qemuImg });
    this.guest = new GuestAgents({ endpoint: paths, onChange: changed, guard, emitJob: this.jobEvent });
    const [sup, qemuImg] = [(id: string) => this.supervisor(id), () => this.catalog.qemuImg()];
    this.snapshots = new VmSnapshots({ libraryRoot: library.root, readConfig: (id) => library.read(id), state: (id) => sup(id).state, pid: (id) => sup(id).pid, monitor: (id) => this.monitor(sup(id)), exclusive: (id, work) => this.queue.run(id, work), qemuImg, screenshot: (id) => this.screenshot(id), start: (id, beforeRun) => this.start(id, { beforeRun }), status: (id) => sup(id).status(), writeConfig: (c) => library.write(c), emitJob: this.jobEvent, changed: (id) => this.emit('changed', { id }) });
  }

  // Takes the library lock, then re-attaches to every VM a previous helper left running.
  static async open(opts: EngineOptions): Promise<VmEngine> {
    const library = new VmLibrary(opts.home, { purpose: opts.purpose ?? `an OpenUTM helper (pid ${process.pid})` });
    await library.open();
    const engine = new VmEngine(library, opts);
    try {
      await engine.places.ensureRuntimeRoot();
      const { configs } = await library.list();
      await Promise.all(configs.map((c) => engine.adopt(c)));
    } catch (e) {
      await library.close();
      throw e;
    }
    return engine;
  }

  // Lets go of every VM without stopping it, and releases the library.
  async close(): Promise<void> {
    this.serialHubs.stopAll('the helper is shutting down; the VM keeps running');
    this.guest.closeAll();
    await Promise.all([...this.supervisors.values()].map((s) => s.detach()));
    await this.library.close();
    // Only succeeds when no VM left its sockets there; running VMs keep their directories.
    await rmdir(this.opts.runtimeRoot).catch(() => undefined);
  }

  list(): Promise<Array<{ config: VmConfig; status: VmStatus }>> {
    return this.library.list().then(async ({ configs }) => {
      for (const c of configs) if (!this.supervisors.has(c.id)) await this.adopt(c);
      return configs.map((config) => ({ config, status: this.supervisor(config.id).status() }));
    });
  }

  async get(id: string): Promise<{ config: VmConfig; status: VmStatus }> {
    const config = await this.library.read(id);
    if (!this.supervisors.has(id)) await this.adopt(config);
    return { config, status: this.supervisor(id).status() };
  }

  // A live round trip to QEMU when it runs, so a caller learns of a hung monitor.
  async status(id: string): Promise<VmStatus> {
    const sup = this.supervisor(id);
    if (sup.qmp) await sup.qmp.execute('query-status');
    return sup.status();
  }

  // The QEMUs this helper watches (the API refuses connections from them).
  qemuPids(): number[] {
    return [...this.supervisors.values()].map((s) => s.pid).filter((pid): pid is number => pid !== null);
  }

  // QEMU's own view (QMP query-status), for callers that must not trust the cached state.
  async queryStatus(id: string): Promise<{ status: string; running: boolean }> {
    const { status, running } = await this.monitor(this.supervisor(id)).execute<{ status: string; running: boolean }>('query-status');
    return { status, running };
  }

  // TCP endpoints (Windows) are loopback ports the last start picked (none before a start).
  paths(id: string, ports?: EndpointPorts): RuntimePaths {
    return this.places.runtime(id, ports);
  }

  // job: the client's id for the job.progress events of this request.
  async create(request: VmCreateRequest, job?: string): Promise<{ config: VmConfig; status: VmStatus }> {
    const config = await runJob({ job, kind: 'create', label: 'Creating the VM', emit: this.jobEvent }, (report) => this.catalog.create(request, report));
    await this.adopt(config);
    this.emit('changed', { id: config.id });
    return { config, status: this.supervisor(config.id).status() };
  }

  // job: the client's id for the job.progress events of the edit's disk work (imports).
  async edit(id: string, changes: VmEditRequest, job?: string): Promise<{ config: VmConfig; status: VmStatus }> {
    this.tries.assertNoChoicePending(id, 'edit');
    const config = await runEditJob({ job, vm: id, changes, emit: this.jobEvent }, (report) => this.queue.run(id, () => this.catalog.edit(id, changes, report)));
    this.supervisor(id).rename(config.name);
    this.emit('changed', { id });
    return { config, status: this.supervisor(id).status() };
  }

  // snapshot: copy the disks as they were in it (read from the images, so the VM may run).
  async clone(id: string, name?: string, job?: string, snapshot?: CloneSource): Promise<{ config: VmConfig; status: VmStatus }> {
    if (!snapshot) this.require(id, 'clone');
    const config = await runJob({ job, vm: id, kind: 'clone', label: 'Cloning', emit: this.jobEvent }, (report) => this.queue.run(id, () => this.catalog.clone(id, name, report, snapshot)));
    await this.adopt(config);
    this.emit('changed', { id: config.id });
    return { config, status: this.supervisor(config.id).status() };
  }

  async delete(id: string, confirmName: string): Promise<void> {
    await this.queue.run(id, async () => {
      this.require(id, 'delete');
      await this.catalog.delete(id, confirmName);
      await rm(this.paths(id).dir, RM_RUNTIME_DIR);
      this.supervisors.delete(id);
    });
    this.emit('removed', { id });
  }

  // Launch paused → attach the monitor → continue; on any failure kill QEMU and roll back.
  // A suspended VM's QEMU takes its saved state first, on the accelerator that saved it (opts.job: progress).
  // opts.try: on throwaway overlays (try mode), begun after the checks and before QEMU runs.
  // opts.beforeRun: work on the paused QEMU before the guest's first instruction (a snapshot to load).
  start(id: string, opts: { job?: string; try?: boolean; beforeRun?: (qmp: QmpClient) => Promise<void> } = {}): Promise<VmStatus> {
    return this.queue.run(id, async () => {
      const sup = this.require(id, 'start');
      const config = await this.library.read(id);
      const folder = vmFolder(this.library.root, id);
      const saved = await readSavedState(folder);
      const facts = await this.opts.hostFacts();
      const ports = this.tcpEndpoints ? await pickLoopbackPorts() : undefined;
      const paths = this.paths(id, ports);
      if (saved && opts.try) throw new OpenUtmError('CONFLICT', `${config.name} is suspended: resume it, or discard its saved state, before a try`);
      const companions = companionsFor({ config, facts, paths, vmFolder: folder });
      const plan = await prepareLaunch({
        ...{ config, facts, paths, vmFolder: folder, guard: this.catalog.guard(id) },
        acceleratorOverride: saved?.facts?.accelerator ?? this.opts.acceleratorOverride,
        beginTry: opts.try ? (record, qemuImg) => this.tries.begin(id, record, qemuImg) : undefined,
      });
      await freshRuntimeDir(paths, ports, plan.warnings);
      // Set before the launch so every state event of this run carries them.
      sup.setWarnings(plan.warnings);
      sup.dispatch({ type: 'launch' });
      let pid: number | null = null;
      let launched: LaunchedQemu | null = null;
      try {
        await this.companions.start(id, companions);
        launched = await launchForStart({ binary: plan.binary, args: plan.args, logFile: paths.qemuLog }, saved, this.tcpEndpoints);
        pid = launched.pid;
        if (paths.serial.kind === 'pipe') this.serialHubs.open(id, paths);
        const qmp = await connectWhenReady(paths.qmp, launched, paths.qemuLog, this.opts.startTimeoutMs ?? 30_000);
        sup.attach(qmp, pid);
        // Connected before the guest runs, so the scrollback holds its first byte.
        await this.serialHubs.start(id, paths, qmp);
        await clearCrash(this.places.logsDir(id));
        if (opts.beforeRun && !saved) await opts.beforeRun(qmp);
        await runGuest({ sup, qmp, saved, vmFolder: folder, runtimeDir: paths.dir, tcp: this.tcpEndpoints, job: { job: opts.job, vm: id, emit: this.jobEvent } });
        this.tries.guestRan(id);
        if (plan.warnings.length > 0) this.emit('warnings', { id, name: config.name, warnings: plan.warnings });
        return sup.status();
      } catch (e) {
        const failure = restoreFailed(await explainStartFailure(e, launched, paths.qemuLog), saved, config.name);
        // A hub opened ahead of the monitor (Windows pipes) has no QMP close to end it.
        if (!sup.qmp) this.serialHubs.stop(id, 'the VM did not start');
        await this.companions.stop(id, paths.dir);
        // The runtime dir goes with the rollback: keep QEMU's log with the VM first.
        await keepLastRunLogs(this.places.logFiles(id)).catch(() => undefined);
        await rollbackStart(sup, pid, paths);
        await this.tries.abandonUnrun(id);
        if (saved) sup.dispatch({ type: 'saved-state', present: true });
        throw failure;
      }
    });
  }

  // ACPI power button, then the guest agent, then force after timeoutMs if the guest ignores both.
  stop(id: string, opts: { force?: boolean; timeoutMs?: number } = {}): Promise<VmStatus> {
    if (opts.force) return this.kill(id);
    return this.queue.run(id, async () => {
      const sup = this.require(id, 'stop');
      await shutDown(sup, this.monitor(sup), opts.timeoutMs ?? 60_000, () => this.guest.shutdown(id));
      return sup.status();
    });
  }

  // Force stop: QEMU quits at once (disks flushed); SIGKILL if the monitor does not answer.
  async kill(id: string): Promise<VmStatus> {
    await forceQuit(this.require(id, 'kill'));
    return this.supervisor(id).status();
  }

  pause = (id: string): Promise<VmStatus> => this.command(id, 'pause', 'stop', (s) => s === 'paused', 'pause');
  resume = (id: string): Promise<VmStatus> => this.command(id, 'resume', 'cont', (s) => s === 'running', 'resume');
  reset = (id: string): Promise<VmStatus> => this.command(id, 'reset', 'system_reset', () => true, 'reset');

  // Saves the VM's whole state in its folder and ends QEMU; the next start resumes there.
  suspend(id: string, job?: string): Promise<VmStatus> {
    return this.queue.run(id, async () => {
      const sup = this.require(id, 'suspend');
      const input = { sup, qmp: this.monitor(sup), vmFolder: vmFolder(this.library.root, id), runtimeDir: this.paths(id).dir, tcp: this.tcpEndpoints, hostOs: this.hostOs };
      return suspendToDisk({ ...input, memoryMiB: (await this.library.read(id)).system.memoryMiB, job: { job, vm: id, emit: this.jobEvent } });
    });
  }

  // Throws a suspended VM's saved state away: it boots afresh at the next start.
  discardState = (id: string): Promise<VmStatus> => this.queue.run(id, () => discardSavedState(this.require(id, 'discardState'), vmFolder(this.library.root, id)));

  private command(id: string, action: VmAction, qmpCommand: string, done: (s: VmStatus['state']) => boolean, what: string): Promise<VmStatus> {
    return this.queue.run(id, async () => {
      const sup = this.require(id, action);
      await this.monitor(sup).execute(qmpCommand);
      await sup.waitFor(done, 10_000, what);
      return sup.status();
    });
  }

  // What each removable drive holds right now, as QEMU sees it (query-block).
  async mediaStatus(id: string): Promise<DriveMedia[]> {
    return queryMedia(this.monitor(this.supervisor(id)), await this.library.read(id));
  }

  private monitor(sup: VmSupervisor): QmpClient {
    if (!sup.qmp) throw new OpenUtmError('INVALID_STATE', `the VM is ${sup.state} and has no QEMU monitor`);
    return sup.qmp;
  }

  private require(id: string, action: VmAction): VmSupervisor {
    const sup = this.supervisor(id);
    if (action === 'start' || action === 'clone') this.tries.assertNoChoicePending(id, action);
    const why = whyNot(sup.state, action);
    if (why !== null || !canPerform(sup.state, action)) throw new OpenUtmError('INVALID_STATE', why ?? 'not allowed now');
    return sup;
  }

  private supervisor(id: string): VmSupervisor {
    const sup = this.supervisors.get(id);
    if (!sup) throw new OpenUtmError('NOT_FOUND', `there is no VM with id ${id}; \`openutm list\` shows them`);
    return sup;
  }

  // The end of the VM's QEMU and serial logs: live while it runs, else the last run's copy.
  async logs(id: string, lines: number): Promise<VmLogTail> {
    const sup = this.supervisor(id);
    return readVmLogs(id, this.places.logFiles(id), sup.qmp !== null, lines);
  }

  // Builds the supervisor for a VM and re-attaches if its QEMU is still alive.
  private async adopt(config: VmConfig): Promise<void> {
    if (this.supervisors.has(config.id)) return;
    const id = config.id;
    const paths = this.paths(id);
    const pid = await readPidFile(paths.pidFile);
    const qmp = pid === null ? null : await QmpClient.connect(paths.qmp, { timeoutMs: 3_000 }).catch(() => null);
    let crash = await loadCrash(this.places.logsDir(id));
    await this.tries.load(id);
    if (pid !== null && qmp === null) {
      if (isAlive(pid)) {
        // Never kill or clean up after a live process we cannot talk to: it may be merely slow.
        crash = await unresponsiveQemu(pid, paths.qemuLog, paths.qmp.kind === 'pipe');
      } else {
        crash = await this.afterExit(id, paths, { crashed: true, reason: 'QEMU exited while no helper was watching it', pid });
      }
    }
    if (this.supervisors.has(id)) return;
    const sup = new VmSupervisor(id, config.name, crash ? 'crashed' : 'stopped', crash, {
      // The agent's watch follows the VM's state (re-attached VMs included), before anyone hears of it.
      onChange: (status) => this.emit('state', this.guest.follow(status)),
      onExit: (info) => this.afterExit(id, paths, info),
      guestAgent: (state) => this.guest.info(id, state),
      tryMode: (state) => this.tries.phase(id, state),
    });
    this.supervisors.set(id, sup);
    if (qmp && pid !== null) {
      sup.setWarnings(await readLaunchWarnings(paths.launchWarnings));
      sup.attach(qmp, pid);
      const { status } = await qmp.execute<{ status: string }>('query-status');
      sup.dispatch({ type: 'attached', qmpStatus: status });
      await adoptSavedState(sup, vmFolder(this.library.root, id), status);
      await this.serialHubs.start(id, paths, qmp);
      await this.companions.adopt(id, paths.dir);
    } else if (pid === null) {
      // A start the previous helper did not finish may have left companions without a QEMU.
      await this.companions.stop(id, paths.dir);
      await adoptSavedState(sup, vmFolder(this.library.root, id), null);
    }
  }

  // The companion processes (swtpm, …) of a running VM, as this helper knows them.
  companionsOf(id: string): RunningCompanion[] {
    return this.companions.list(id);
  }

  // Where the screen of a running VM can be reached (SPICE, or VNC where QEMU lacks SPICE).
  async consoleTarget(id: string): Promise<ConsoleTarget> {
    this.require(id, 'console');
    const [config, facts] = await Promise.all([this.library.read(id), this.opts.hostFacts()]);
    const paths = this.paths(id);
    const target = consoleTargetFor(config, facts, paths);
    return target.endpoint.kind === 'tcp' ? { ...target, password: await readDisplayPassword(paths.displayPassword) } : target;
  }

  // The serial console of a running VM: one connection to QEMU shared by every viewer.
  serialHub(id: string): SerialHub {
    this.require(id, 'console');
    const hub = this.serialHubs.get(id);
    if (!hub) throw new OpenUtmError('CONFLICT', 'the serial console of this VM is not connected; restart the helper or the VM');
    return hub;
  }

  // The monitor of a VM in a state that allows the action, for modules that drive QEMU (typing).
  monitorFor(id: string, action: VmAction): QmpClient {
    return this.monitor(this.require(id, action));
  }

  // The VM's screen as PNG bytes; the latest is also kept in its bundle as the thumbnail.
  async screenshot(id: string): Promise<Buffer> {
    const qmp = this.monitor(this.require(id, 'screenshot'));
    return this.screenshots.take(qmp, { runtimeDir: this.paths(id).dir, screenshotsDir: vmBundlePaths(this.library.root, id).screenshots });
  }

  private afterExit(id: string, paths: RuntimePaths, info: ExitInfo): Promise<VmStatus['crash']> {
    // Any exit but a suspend's own (or a failed resume's) spends a saved state (adoptSavedState).
    const keepSavedState = ['suspending', 'starting'].includes(this.supervisors.get(id)?.state ?? 'stopped');
    const deps = { serialHubs: this.serialHubs, companions: this.companions, logFiles: this.places.logFiles(id), vmFolder: vmFolder(this.library.root, id) };
    return cleanUpAfterExit(id, paths, info, { ...deps, keepSavedState });
  }
}
