import { OpenUtmError } from '@openutm/shared';
import type { QmpClient } from '../qmp/qmp-client';

// What query-migrate says (qapi/migration.json MigrationInfo), the members used here.
export interface MigrationInfo {
  status?: string;
  ram?: { total?: number; remaining?: number; transferred?: number };
  'error-desc'?: string;
}

const TERMINAL = new Set(['completed', 'failed', 'cancelled']);
// How often progress is asked for; the end itself comes with the MIGRATION event at once.
const POLL_MS = 200;

// QEMU's migration speed cap (128 MiB/s on 7.2) suits a live move over a network, not a save of a
// paused guest to a local disk: lifted to the largest value QEMU takes (SIZE_MAX on 64 bits, and
// JavaScript's largest exact integer is below it).
export const UNLIMITED_BANDWIDTH = Number.MAX_SAFE_INTEGER;

// Turns on the MIGRATION event, so the end of a migration is heard at once instead of polled.
export async function enableMigrationEvents(qmp: QmpClient): Promise<void> {
  await qmp.execute('migrate-set-capabilities', { capabilities: [{ capability: 'events', state: true }] });
}

// Resolves with the final query-migrate once the migration completed, failed or was cancelled;
// rejects with QMP_CLOSED when QEMU goes away first (an incoming stream it cannot load makes
// QEMU exit). onInfo sees each poll, for progress.
export function migrationOutcome(qmp: QmpClient, onInfo: (info: MigrationInfo) => void = () => undefined): Promise<MigrationInfo> {
  return new Promise<MigrationInfo>((resolve, reject) => {
    let done = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (f: () => void) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      offEvent();
      offClose();
      f();
    };
    const ask = () => {
      qmp.execute<MigrationInfo>('query-migrate').then(
        (info) => {
          if (done) return;
          if (info.status && TERMINAL.has(info.status)) return finish(() => resolve(info));
          onInfo(info);
          timer = setTimeout(ask, POLL_MS);
        },
        (e: unknown) => finish(() => reject(e)),
      );
    };
    const offEvent = qmp.onEvent((ev) => {
      const status = ev.event === 'MIGRATION' ? ev.data?.status : undefined;
      // The event carries no error text: query-migrate has it.
      if (typeof status === 'string' && TERMINAL.has(status)) {
        clearTimeout(timer);
        qmp.execute<MigrationInfo>('query-migrate').then(
          (info) => finish(() => resolve({ ...info, status: info.status && TERMINAL.has(info.status) ? info.status : status })),
          (e: unknown) => finish(() => reject(e)),
        );
      }
    });
    const offClose = qmp.onClose((info) => finish(() => reject(new OpenUtmError('QMP_CLOSED', `QEMU went away during the migration: ${info.message}`))));
    ask();
  });
}
