import type * as Execa from 'execa';

// execa loads on first use, and the bundle carries it as a string compiled only then
// (helper/deferred-packages.mjs says why: ~5 MiB of resident memory for the helper's life).
// Most helper runs start few programs, none before they are needed.
let loading: Promise<typeof Execa> | undefined;

export function loadExeca(): Promise<typeof Execa> {
  loading ??= import('execa');
  return loading;
}
