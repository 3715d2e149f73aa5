import type { MethodName } from '@openutm/shared';
import type { Handler } from '../api/handlers';
import type { AuthService } from './auth-service';

type AuthMethod = Extract<MethodName, `auth.${string}`>;

// The auth.* protocol methods, for the server's plugged handlers: pairing codes come from the
// running helper's memory; tokens are listed with the caller's own marked, and revocable.
export function authHandlers(auth: AuthService): { [M in AuthMethod]: Handler<M> } {
  return {
    'auth.pairingCode': async () => {
      const { code, expiresAt } = auth.createPairingCode();
      return { code, expiresAt: new Date(expiresAt).toISOString() };
    },
    'auth.tokens': async (_params, caller) => auth.listTokens().map((t) => ({ ...t, current: t.id === caller.tokenId })),
    'auth.revoke': async ({ id }, caller) => ({ ...auth.revokeToken(id), current: id === caller.tokenId }),
  };
}
