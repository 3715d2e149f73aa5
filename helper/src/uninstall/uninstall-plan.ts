import path from 'node:path';
import { SECRETS_FILE } from '../auth/secrets-store';
import { LOCK_FILE, LOGS_DIR, VMS_DIR } from '../vm-library/library-paths';

// Everything `openutm uninstall` looks at, gathered at the edge (paths only, nothing read).
export interface UninstallInput {
  libraryRoot: string;
  runtimeRoot: string;
  // The OS folders named after OpenUTM besides the library (env-paths: config, cache, log, temp).
  osDirs: string[];
  // The files start at login wrote: the entry (Linux, macOS) or the hidden launcher (Windows);
  // the Windows Run value itself is removed by the autostart module.
  autostartFiles: string[];
  // Names present at the library root right now.
  libraryEntries: string[];
}

export interface Trace {
  path: string;
  what: string;
}

// Names at the library root the helper writes: the secrets file (tokens), the lock and its
// helpers, their atomic-write temp files, and the helper's own logs. vms/ is the user's.
function isHelperFile(name: string): string | null {
  if (name === SECRETS_FILE || new RegExp(`^\\.${SECRETS_FILE.replace('.', '\\.')}\\.tmp-`).test(name)) return 'the helper\'s secrets (paired browsers\' token hashes, the CLI token)';
  if (name === LOCK_FILE || name.startsWith(`${LOCK_FILE}.`)) return 'the library lock';
  if (name === LOGS_DIR) return 'the helper\'s logs';
  return null;
}

// Whether removing `candidate` would touch the VMs: it is the VMs folder or one of its parents.
export function holdsVms(candidate: string, libraryRoot: string): boolean {
  const vms = path.resolve(libraryRoot, VMS_DIR);
  const rel = path.relative(path.resolve(candidate), vms);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

// The list of traces to remove, in order. The VMs folder, and anything holding it, is never in
// it; files at the library root the helper did not write are left alone too.
export function uninstallPlan(input: UninstallInput): Trace[] {
  const traces: Trace[] = [];
  for (const file of input.autostartFiles) traces.push({ path: file, what: 'start at login' });
  for (const name of [...input.libraryEntries].sort()) {
    const what = isHelperFile(name);
    if (what) traces.push({ path: path.join(input.libraryRoot, name), what });
  }
  traces.push({ path: input.runtimeRoot, what: 'runtime folder (sockets, pid files)' });
  for (const dir of input.osDirs) traces.push({ path: dir, what: 'OpenUTM settings/cache/log folder' });
  return traces.filter((t) => !holdsVms(t.path, input.libraryRoot));
}
