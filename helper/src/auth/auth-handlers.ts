import { OpenUtmError, whyCannotMintPairingCode, whyCannotRevoke, type MethodName } from '@openutm/shared';
import type { Handler } from '../api/handlers';
import type { AuthService } from './auth-service';

type AuthMethod = Extract<MethodName, `auth.${string}`>;

// The auth.* protocol methods, for the server's plugged handlers: pairing codes come from the
// running helper's memory; tokens are listed with the caller's own marked. Minting codes and
// revoking others is for the local token only (shared's auth-permissions), so a stolen browser
// token can neither mint more access nor lock the real user out.
export function authHandlers(auth: AuthService): { [M in AuthMethod]: Handler<M> } {
  return {
    'auth.pairingCode': async (_params, caller) => {
      const refusal = whyCannotMintPairingCode(caller.tokenId);
      if (refusal !== null) throw new OpenUtmError('FORBIDDEN', refusal);
      const { code, expiresAt } = auth.createPairingCode();
      return { code, expiresAt: new Date(expiresAt).toISOString() };
    },
    'auth.tokens': async (_params, caller) => auth.listTokens().map((t) => ({ ...t, current: t.id === caller.tokenId })),
    'auth.revoke': async ({ id }, caller) => {
      const refusal = whyCannotRevoke(caller.tokenId, id);
      if (refusal !== null) throw new OpenUtmError('FORBIDDEN', refusal);
      return { ...auth.revokeToken(id), current: id === caller.tokenId };
    },
  };
}
