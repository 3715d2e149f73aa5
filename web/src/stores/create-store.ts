import { useSyncExternalStore } from 'react';

// A value that changes over time and tells its subscribers; React reads it with useStore.
export interface Store<T> {
  get(): T;
  set(next: T): void;
  subscribe(listener: () => void): () => void;
}

// The whole state library: a value and its listeners. Updates replace the value, so a selector
// that returns a part of it returns the same object until that part changes.
export function createStore<T>(initial: T): Store<T> {
  let value = initial;
  const listeners = new Set<() => void>();
  return {
    get: () => value,
    set(next) {
      if (Object.is(next, value)) return;
      value = next;
      for (const listener of [...listeners]) listener();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

// Reads a part of a store and re-renders when that part changes. The selector must return
// something already in the store (not a new object), or React would re-render forever.
export function useStore<T, S>(store: Store<T>, select: (value: T) => S): S {
  return useSyncExternalStore(
    store.subscribe,
    () => select(store.get()),
    () => select(store.get()),
  );
}
