import { SerialHub } from '../console-bridge/serial-hub';
import type { QmpClient } from '../qmp/qmp-client';
import type { RuntimePaths } from '../runtime/runtime-paths';

// One serial hub per running VM: the helper holds QEMU's single serial connection and keeps its
// scrollback, so any number of consoles can come and go.
export class SerialHubs {
  private readonly hubs = new Map<string, SerialHub>();

  async start(id: string, paths: RuntimePaths, qmp: QmpClient): Promise<void> {
    this.stop(id, 'the serial console is reconnecting');
    const hub = new SerialHub(paths.serial, { seedFile: paths.serialLog, label: `VM ${id} serial` });
    this.hubs.set(id, hub);
    // Whenever QEMU goes (even before this hub was set up), its hub goes with it.
    qmp.onClose(() => {
      if (this.hubs.get(id) === hub) this.stop(id, 'the VM stopped');
    });
    await hub.start();
  }

  get(id: string): SerialHub | undefined {
    return this.hubs.get(id);
  }

  stop(id: string, reason: string): void {
    this.hubs.get(id)?.stop(reason);
    this.hubs.delete(id);
  }

  stopAll(reason: string): void {
    for (const id of [...this.hubs.keys()]) this.stop(id, reason);
  }
}
