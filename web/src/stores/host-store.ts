import type { HostFacts, TokenInfo } from '@openutm/shared';
import { createStore, useStore } from './create-store';

// What the helper said about its computer (host.doctor) and its paired clients (auth.tokens).
// null until asked; replaced by each answer, never guessed.
export interface HostState {
  facts: HostFacts | null;
  tokens: readonly TokenInfo[] | null;
}

export const hostStore = createStore<HostState>({ facts: null, tokens: null });

export function hostFactsReceived(facts: HostFacts): void {
  hostStore.set({ ...hostStore.get(), facts });
}

export function tokensListed(tokens: readonly TokenInfo[]): void {
  hostStore.set({ ...hostStore.get(), tokens });
}

export function useHostFacts(): HostFacts | null {
  return useStore(hostStore, (s) => s.facts);
}

export function useTokens(): readonly TokenInfo[] | null {
  return useStore(hostStore, (s) => s.tokens);
}
