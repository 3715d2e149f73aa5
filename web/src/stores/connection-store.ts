import type { ConnectionPhase, ConnectionStatus } from '../helper-client/connection';
import { createStore, useStore } from './create-store';

export type { ConnectionPhase };

// The connection as the header and banner show it, plus which helper this page talks to.
export interface ConnectionView extends ConnectionStatus {
  // http://127.0.0.1:47320
  helperOrigin: string;
  // True until the helper client has read the saved address and token (static HTML knows neither).
  booting: boolean;
}

export const connectionStore = createStore<ConnectionView>({
  phase: 'connecting',
  retryAt: null,
  failures: 0,
  welcome: null,
  reason: null,
  helperOrigin: '',
  booting: true,
});

// Written only by the helper client.
export function connectionChanged(change: Partial<ConnectionView>): void {
  connectionStore.set({ ...connectionStore.get(), ...change });
}

export function useConnection(): ConnectionView {
  return useStore(connectionStore, (s) => s);
}
