import type { VmSummary } from '@openutm/shared';
import { createStore, useStore } from './create-store';

// The library as the helper listed it on an earlier visit, from this browser's storage: shown
// (marked stale, its actions off) from the first render after hydration until the helper's own
// vm.list answer arrives, then dropped. Null when nothing was remembered or once it is stale no
// more. The live library (vm-store) never reads it, so no page acts on remembered data.
export const rememberedLibraryStore = createStore<readonly VmSummary[] | null>(null);

export function libraryRemembered(vms: readonly VmSummary[] | null): void {
  rememberedLibraryStore.set(vms);
}

export function useRememberedLibrary(): readonly VmSummary[] | null {
  return useStore(rememberedLibraryStore, (s) => s);
}
