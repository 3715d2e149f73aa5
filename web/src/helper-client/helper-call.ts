import type { MethodName, MethodParams, MethodResult } from '@openutm/shared';
import { connectionStore } from '../stores/connection-store';
import { unsupportedCall } from './capabilities';
import { connectionError } from './client-errors';
import { DEFAULT_CALL_TIMEOUT_MS } from './connection';
import { currentConnection } from './runtime';

// One typed call to the helper for api.ts and settings-api.ts: refused here, with a reason a
// person can act on, when the helper's welcome did not list the method (an older helper).
export function helperCall<M extends MethodName>(method: M, params: MethodParams<M>, timeoutMs = DEFAULT_CALL_TIMEOUT_MS): Promise<MethodResult<M>> {
  const connection = currentConnection();
  if (connection === null) return Promise.reject(connectionError('closed', 'the helper client has not started'));
  const tooOld = unsupportedCall(method, connectionStore.get().welcome);
  if (tooOld !== null) return Promise.reject(tooOld);
  return connection.call(method, params, timeoutMs);
}
