import type { EventEmitter } from 'node:events';
import type { ApiAuth } from '../api/api-auth';
import type { EngineEvents } from '../vm-service/engine-options';
import type { ConsoleOwners } from './console-owners';
import type { ConsoleTickets } from './console-tickets';

// What ends consoles: a revoked token, a VM that stops, crashes or is deleted.
export interface ConsoleLifetimeSources {
  auth: Pick<ApiAuth, 'onRevoked'>;
  engine: Pick<EventEmitter<EngineEvents>, 'on' | 'off'>;
  tickets: ConsoleTickets;
  owners: ConsoleOwners;
  log?: (line: string) => void;
}

// Ties tickets and console sockets to what they were issued for. Revoking a token ends that
// client's open consoles and its unused tickets; a VM that stops, crashes or is deleted takes its
// tickets with it (its open consoles end by themselves when QEMU goes). Listens to the engine's
// events rather than living in it: the engine knows nothing of tickets. Returns the undo.
export function bindConsoleLifetimes(src: ConsoleLifetimeSources): () => void {
  const onState = (s: EngineEvents['state'][0]) => {
    if (s.state === 'stopped' || s.state === 'crashed') src.tickets.revoke(s.id);
  };
  const onRemoved = ({ id }: { id: string }) => src.tickets.revoke(id);
  src.engine.on('state', onState);
  src.engine.on('removed', onRemoved);
  const unsubscribe = src.auth.onRevoked((tokenId) => {
    src.tickets.revokeOwner(tokenId);
    const closed = src.owners.closeOwner(tokenId, "this client's token was revoked; pair it again to open consoles");
    if (closed > 0) src.log?.(`closed ${closed} console connection(s) of revoked token ${tokenId}`);
  });
  return () => {
    src.engine.off('state', onState);
    src.engine.off('removed', onRemoved);
    unsubscribe();
  };
}
