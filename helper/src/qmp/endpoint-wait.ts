import { watch, type FSWatcher } from 'node:fs';
import { access } from 'node:fs/promises';
import path from 'node:path';
import { isOpenUtmError } from '@openutm/shared';
import type { ControlEndpoint } from '../runtime/runtime-paths';

// Waits between connects to a monitor that is not there yet: `ms` at most, and for a unix socket
// no longer than until the socket appears in its folder. QEMU creates it ~50 ms after launch,
// and a fixed back-off woke on average half a step late, which every start and resume paid.
// A pipe or a TCP port has no file to watch, and a socket file that is there but refused (QEMU
// between bind and listen, or a stale one) gives nothing to wait for: those wait the whole `ms`.
// `abort` ends the wait early too (QEMU exited).
export function untilEndpointMayAccept(endpoint: ControlEndpoint, ms: number, lastError: unknown, abort?: Promise<unknown>): Promise<void> {
  return new Promise<void>((resolve) => {
    let watcher: FSWatcher | null = null;
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      watcher?.close();
      resolve();
    };
    const timer = setTimeout(finish, ms);
    void abort?.then(finish, finish);
    if (endpoint.kind !== 'unix' || errnoOf(lastError) !== 'ENOENT') return;
    const name = path.basename(endpoint.path);
    try {
      watcher = watch(path.dirname(endpoint.path), { persistent: false }, (_event, changed) => {
        if (changed === null || changed === name) finish();
      });
      watcher.on('error', finish);
    } catch {
      // No folder to watch (yet): the timer alone.
      return;
    }
    // It may have appeared between the failed connect and the watch.
    void access(endpoint.path).then(finish, () => undefined);
  });
}

function errnoOf(e: unknown): unknown {
  return isOpenUtmError(e) ? e.details?.errno : undefined;
}
