import type { VmConfig } from '@openutm/shared';
import type { QmpClient } from '../qmp/qmp-client';

// What one removable drive holds right now, as QEMU sees it.
export interface DriveMedia {
  drive: string;
  inserted: string | null;
  trayOpen: boolean;
}

type Block = { qdev?: string; inserted?: { file?: string }; tray_open?: boolean };

// Each removable drive of the config matched with QEMU's query-block answer (by its qdev id,
// which QEMU gives either bare or as a /machine/peripheral path).
export async function queryMedia(qmp: QmpClient, config: VmConfig): Promise<DriveMedia[]> {
  const blocks = await qmp.execute<Block[]>('query-block');
  return config.removable.map((d) => {
    const b = blocks.find((x) => x.qdev === d.id || x.qdev?.startsWith(`/machine/peripheral/${d.id}/`) || x.qdev === `/machine/peripheral/${d.id}`);
    return { drive: d.id, inserted: b?.inserted?.file ?? null, trayOpen: b?.tray_open ?? false };
  });
}

// Inserts an ISO (read-only, raw: never probed) into a running VM's drive, or ejects it.
export async function changeMedia(qmp: QmpClient, drive: string, iso: string | null): Promise<void> {
  if (iso === null) await qmp.execute('eject', { id: drive, force: true });
  else await qmp.execute('blockdev-change-medium', { id: drive, filename: iso, format: 'raw', 'read-only-mode': 'read-only' });
}
