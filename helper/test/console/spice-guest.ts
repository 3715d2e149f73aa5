import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { VmEngine } from '../../src/vm-service/vm-engine';
import { lazyHostFacts } from '../../src/cli/engine-from-env';
import { defaultRuntimeRoot } from '../../src/runtime/runtime-paths';
import { ConsoleTickets } from '../../src/console-bridge/console-tickets';
import { kernelGuestRequest, testGuest } from '../support/test-guest';
import { waitForText } from '../support/wait';
import { startConsoleServer } from './console-server';

// A booted test guest with a SPICE display behind the console upgrade handler, for the tests
// that drive SPICE sessions through the real bridge into a real QEMU.
export interface SpiceGuest {
  engine: VmEngine;
  id: string;
  tickets: ConsoleTickets;
  server: Awaited<ReturnType<typeof startConsoleServer>>;
  // Kills the guest and removes everything.
  close(): Promise<void>;
}

// endpoints 'tcp': QEMU listens on loopback TCP and checks a display password (the Windows form).
export async function startSpiceGuest(name: string, opts: { endpoints?: 'unix' | 'tcp'; maxOpens?: number } = {}): Promise<SpiceGuest> {
  const home = await mkdtemp(path.join(os.tmpdir(), `openutm-${name}-`));
  const engine = await VmEngine.open({
    home,
    runtimeRoot: defaultRuntimeRoot(home),
    hostFacts: lazyHostFacts(),
    acceleratorOverride: 'tcg',
    ...(opts.endpoints ? { endpoints: opts.endpoints } : {}),
  });
  const tickets = new ConsoleTickets(opts.maxOpens === undefined ? {} : { maxOpens: opts.maxOpens });
  const server = await startConsoleServer({ engine, tickets });
  const id = (await engine.create(kernelGuestRequest(name, { display: { type: 'spice' } }))).config.id;
  await engine.start(id);
  await waitForText(engine.paths(id).serialLog, testGuest().marker, 90_000);
  return {
    engine,
    id,
    tickets,
    server,
    close: async () => {
      await engine.kill(id).catch(() => undefined);
      await server.close();
      await engine.close();
      await rm(home, { recursive: true, force: true });
    },
  };
}
