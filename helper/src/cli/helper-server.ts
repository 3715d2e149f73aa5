import { startApiServer, type ApiServer } from '../api/server';
import type { AuthService } from '../auth/auth-service';
import { authHandlers } from '../auth/auth-handlers';
import { bindConsoleLifetimes } from '../console-bridge/console-lifetimes';
import { consoleMethods } from '../console-bridge/console-methods';
import { ConsoleOwners } from '../console-bridge/console-owners';
import { ConsoleTickets, type TicketOptions } from '../console-bridge/console-tickets';
import { createConsoleUpgradeHandler } from '../console-bridge/console-upgrade';
import type { WebRoot } from '../api/web-root';
import type { VmEngine } from '../vm-service/vm-engine';
import { HELPER_VERSION } from '../version';
import { GuestTypist } from '../keyboard/guest-typist';
import { typingMethods } from '../keyboard/typing-methods';

// What `openutm serve` composes around its engine and tokens; tests start the same thing on port 0.
export interface HelperServerOptions {
  engine: VmEngine;
  auth: AuthService;
  port: number;
  origins: string[];
  webRoot?: string | WebRoot;
  tickets?: TicketOptions;
  // false: guests' connections reach the limits (tests of those); default: on where the OS tells.
  peerCheck?: false;
  log: (line: string) => void;
}

// The helper's server with everything plugged in: the API, pairing and tokens, the console
// bridge with its tickets, and the rules that end consoles (revoked token, VM gone).
export async function startHelperServer(opts: HelperServerOptions): Promise<ApiServer> {
  const { engine, auth, log } = opts;
  const tickets = new ConsoleTickets(opts.tickets);
  const owners = new ConsoleOwners();
  const unbind = bindConsoleLifetimes({ auth, engine, tickets, owners, log });
  try {
    const server = await startApiServer({
      engine,
      auth,
      port: opts.port,
      origins: opts.origins,
      helperVersion: HELPER_VERSION,
      webRoot: opts.webRoot,
      consoleUpgrade: createConsoleUpgradeHandler({ engine, tickets, owners }),
      handlers: {
        ...authHandlers(auth),
        ...consoleMethods({ engine, tickets }),
        ...typingMethods(new GuestTypist({ engine, emit: (p) => engine.emit('progress', p) })),
      },
      ...(opts.peerCheck === false && { peerCheck: false as const }),
      log,
    });
    return {
      ...server,
      async close() {
        unbind();
        await server.close();
      },
    };
  } catch (e) {
    unbind();
    throw e;
  }
}
