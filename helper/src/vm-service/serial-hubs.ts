import { SerialHub } from '../console-bridge/serial-hub';
import type { QmpClient } from '../qmp/qmp-client';
import type { RuntimePaths } from '../runtime/runtime-paths';

// One serial hub per running VM: the helper holds QEMU's single serial connection and keeps its
// scrollback, so any number of consoles can come and go.
export class SerialHubs {
  private readonly hubs = new Map<string, SerialHub>();
  // Hubs opened ahead of the monitor (Windows pipes), with their first connection under way.
  private readonly opening = new Map<string, { hub: SerialHub; connected: Promise<void> }>();

  // Starts connecting before QMP is up. On Windows QEMU waits at its serial pipe for a client
  // before it even creates the monitor's pipe, so the serial side must go first (pipe-names.ts).
  open(id: string, paths: RuntimePaths): void {
    this.stop(id, 'the serial console is reconnecting');
    const hub = this.newHub(id, paths);
    this.hubs.set(id, hub);
    this.opening.set(id, { hub, connected: hub.start() });
  }

  async start(id: string, paths: RuntimePaths, qmp: QmpClient): Promise<void> {
    const early = this.opening.get(id);
    this.opening.delete(id);
    const reuse = early !== undefined && this.hubs.get(id) === early.hub;
    if (!reuse) this.stop(id, 'the serial console is reconnecting');
    const hub = reuse ? early.hub : this.newHub(id, paths);
    this.hubs.set(id, hub);
    // Whenever QEMU goes (even before this hub was set up), its hub goes with it.
    qmp.onClose(() => {
      if (this.hubs.get(id) === hub) void this.finish(id, 'the VM stopped');
    });
    await (reuse ? early.connected : hub.start());
  }

  private newHub(id: string, paths: RuntimePaths): SerialHub {
    return new SerialHub(paths.serial, { logFile: paths.serialLog, qemuLogFile: paths.serialQemuLog, label: `VM ${id} serial` });
  }

  get(id: string): SerialHub | undefined {
    return this.hubs.get(id);
  }

  // QEMU is exiting: the hub takes in the guest's last output, then goes.
  async finish(id: string, reason: string): Promise<void> {
    const hub = this.hubs.get(id);
    if (!hub) return;
    await hub.finish(reason);
    if (this.hubs.get(id) === hub) this.hubs.delete(id);
  }

  stop(id: string, reason: string): void {
    this.opening.delete(id);
    this.hubs.get(id)?.stop(reason);
    this.hubs.delete(id);
  }

  stopAll(reason: string): void {
    for (const id of [...this.hubs.keys()]) this.stop(id, reason);
  }
}
