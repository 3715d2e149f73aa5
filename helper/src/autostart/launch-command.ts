import { createRequire } from 'node:module';
import path from 'node:path';
import { OpenUtmError } from '@openutm/shared';

// What the OS runs at login: a program and its arguments, never a shell line. Each OS writer
// quotes it its own way.
export interface LaunchCommand {
  argv: [string, ...string[]];
}

export interface LaunchFacts {
  // True when this process is a single executable (node:sea), which carries its own bundle.
  isSea: boolean;
  execPath: string;
  // The script Node runs (the bundle helper/dist/openutm.cjs), when not a single executable.
  script: string | undefined;
}

// `openutm serve` as this very program runs it: the single executable alone, else node plus the
// bundle. Both paths are absolute so login (which starts in another folder) finds them.
// `background` adds --background (Windows: no console window left open at login).
export function helperLaunchCommand(facts: LaunchFacts, opts: { background?: boolean } = {}): LaunchCommand {
  const serve = opts.background ? ['serve', '--background'] : ['serve'];
  if (facts.isSea) return { argv: [facts.execPath, ...serve] };
  if (!facts.script) throw new OpenUtmError('INTERNAL', 'cannot tell which script runs the helper (process.argv[1] is empty)');
  // TypeScript sources need the tsx loader, which a login session does not have.
  if (/\.[cm]?ts$/.test(facts.script)) {
    throw new OpenUtmError('CONFLICT', `the helper runs from its sources (${facts.script}); build it (npm run build) and run helper/bin/openutm.cjs, or the single executable, to register it at login`);
  }
  return { argv: [facts.execPath, path.resolve(facts.script), ...serve] };
}

// node:sea exists from Node 20.12; on older Node nothing can be a single executable.
export function runningAsSea(): boolean {
  try {
    const sea = createRequire(import.meta.url)('node:sea') as { isSea(): boolean };
    return sea.isSea();
  } catch {
    return false;
  }
}

// The facts of the running process, gathered at the edge.
export function currentLaunchFacts(): LaunchFacts {
  return { isSea: runningAsSea(), execPath: process.execPath, script: process.argv[1] };
}
