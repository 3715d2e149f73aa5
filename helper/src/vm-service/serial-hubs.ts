import { SerialHub } from '../console-bridge/serial-hub';
import type { QmpClient } from '../qmp/qmp-client';
import type { RuntimePaths } from '../runtime/runtime-paths';

// One serial hub per running VM: the helper holds QEMU's single serial connection and keeps its
// scrollback, so any number of consoles can come and go.
export class SerialHubs {
  private readonly hubs = new Map<string, SerialHub>();

  async start(id: string, paths: RuntimePaths, qmp: QmpClient): Promise<void> {
    this.stop(id, 'the serial console is reconnecting');
    const hub = new SerialHub(paths.serial, { logFile: paths.serialLog, qemuLogFile: paths.serialQemuLog, label: `VM ${id} serial` });
    this.hubs.set(id, hub);
    // Whenever QEMU goes (even before this hub was set up), its hub goes with it.
    qmp.onClose(() => {
      if (this.hubs.get(id) === hub) void this.finish(id, 'the VM stopped');
    });
    await hub.start();
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
    this.hubs.get(id)?.stop(reason);
    this.hubs.delete(id);
  }

  stopAll(reason: string): void {
    for (const id of [...this.hubs.keys()]) this.stop(id, reason);
  }
}
