import os from 'node:os';
import type { z } from 'zod';
import { LOCAL_CLIENT_ID, METHODS, OpenUtmError, type HostFacts, type MethodName, type MethodResult } from '@openutm/shared';
import type { VmEngine } from '../vm-service/vm-engine';
import type { CallerIdentity } from './api-auth';
import { browseHost } from '../host/host-browse';
import { inspectMedia } from '../host/inspect-media';
import { hostPlaces } from '../host/host-places';

// What a method's implementation receives: its params after the zod schema (defaults filled).
export type MethodInput<M extends MethodName> = z.output<(typeof METHODS)[M]['params']>;

// One method's implementation; it throws OpenUtmError for anything the caller should read.
export type Handler<M extends MethodName> = (params: MethodInput<M>, caller: CallerIdentity) => Promise<MethodResult<M>>;

// Every method in shared's METHODS table with its implementation: a method added there and
// served by nobody is a compile error here or at the caller.
export type HandlerTable = { [M in MethodName]: Handler<M> };

// The methods this file serves from the engine; the rest come from their owners.
export const ENGINE_METHODS = [
  'host.doctor',
  'host.browse',
  'host.inspectMedia',
  'vm.list',
  'vm.get',
  'vm.create',
  'vm.edit',
  'vm.start',
  'vm.tryKeep',
  'vm.tryDiscard',
  'vm.suspend',
  'vm.discardState',
  'vm.stop',
  'vm.pause',
  'vm.resume',
  'vm.reset',
  'vm.kill',
  'vm.delete',
  'vm.clone',
  'vm.status',
  'vm.log',
  'vm.guestInfo',
  'vm.exec',
  'vm.filePush',
  'vm.filePull',
  'vm.snapshots',
  'vm.snapshotSave',
  'vm.snapshotRestore',
  'vm.snapshotDelete',
  'vm.snapshotClone',
  'vm.convertDisks',
  'vm.disks',
  'vm.diskConvert',
  'vm.diskCompact',
  'job.cancel',
] as const satisfies readonly MethodName[];
export type EngineMethod = (typeof ENGINE_METHODS)[number];

// Handlers other modules own (console.open, vm.screenshot, auth.* once they are in METHODS),
// passed in by whoever starts the server. Today it is empty; each new METHODS entry that is not
// an engine method makes it required, so the server cannot start without it.
export type PluggedHandlers = { [M in Exclude<MethodName, EngineMethod>]: Handler<M> };

// The slice of the engine the API uses.
export type EngineApi = Pick<
  VmEngine,
  'list' | 'get' | 'create' | 'edit' | 'start' | 'suspend' | 'discardState' | 'stop' | 'pause' | 'resume' | 'reset' | 'kill' | 'delete' | 'clone' | 'status' | 'logs' | 'catalog' | 'guest' | 'snapshots' | 'disks' | 'tries'
>;

// File copies read and write host files where the caller says: only the app on this computer
// (the CLI, holding the local token) may ask, not a paired browser.
function localOnly(caller: CallerIdentity, what: string): void {
  if (caller.tokenId !== LOCAL_CLIENT_ID) {
    throw new OpenUtmError('FORBIDDEN', `only the OpenUTM app on this computer can ${what}; run \`openutm file\` there`);
  }
}

// Protocol methods → engine calls, one line each; validation happened before, errors pass up.
export function engineHandlers(engine: EngineApi, hostFacts: () => Promise<HostFacts>): { [M in EngineMethod]: Handler<M> } {
  return {
    'host.doctor': () => hostFacts(),
    'host.browse': async ({ path, showHidden }) => ({ ...(await browseHost({ path, showHidden }, { home: os.homedir() })), places: hostPlaces(os.homedir()) }),
    // Checked as an ISO for a VM not made yet: the helper's own files are refused here too.
    'host.inspectMedia': ({ path }) => inspectMedia(path, engine.catalog.guard(null)),
    'vm.list': () => engine.list(),
    'vm.get': ({ id }) => engine.get(id),
    'vm.create': ({ job, ...request }) => engine.create(request, job),
    'vm.edit': ({ id, changes, job }) => engine.edit(id, changes, job),
    'vm.start': ({ id, try: tryRun, job }) => engine.start(id, { try: tryRun, job }),
    // engine.get first: an unknown id is NOT_FOUND; the answer is the status once the choice is made.
    'vm.tryKeep': async ({ id, job }) => (await engine.get(id), await engine.tries.keep(id, job), (await engine.get(id)).status),
    'vm.tryDiscard': async ({ id }) => (await engine.get(id), await engine.tries.discard(id), (await engine.get(id)).status),
    'vm.suspend': ({ id, job }) => engine.suspend(id, job),
    'vm.discardState': ({ id }) => engine.discardState(id),
    'vm.stop': ({ id, force, timeoutMs }) => engine.stop(id, { force, timeoutMs }),
    'vm.pause': ({ id }) => engine.pause(id),
    'vm.resume': ({ id }) => engine.resume(id),
    'vm.reset': ({ id }) => engine.reset(id),
    'vm.kill': ({ id }) => engine.kill(id),
    'vm.delete': async ({ id, confirmName }) => {
      await engine.delete(id, confirmName);
      return { id };
    },
    'vm.clone': ({ id, name, job }) => engine.clone(id, name, job),
    'vm.status': ({ id }) => engine.status(id),
    'vm.log': ({ id, lines }) => engine.logs(id, lines),
    // engine.get first: an unknown id is NOT_FOUND, not "not running".
    'vm.guestInfo': async ({ id, all }) => (await engine.get(id), engine.guest.guestInfo(id, all)),
    'vm.exec': async ({ id, ...request }) => (await engine.get(id), engine.guest.exec(id, request)),
    'vm.filePush': async ({ id, hostPath, guestPath, job }, caller) => {
      localOnly(caller, 'copy files of this computer into a guest');
      await engine.get(id);
      return engine.guest.pushFile(id, hostPath, guestPath, job);
    },
    'vm.snapshots': ({ id }) => engine.snapshots.list(id),
    'vm.snapshotSave': ({ id, name, notes, job }) => engine.snapshots.save(id, name, notes, job),
    'vm.snapshotRestore': ({ id, name, job }) => engine.snapshots.restore(id, name, job),
    'vm.snapshotDelete': ({ id, name, job }) => engine.snapshots.remove(id, name, job),
    'vm.snapshotClone': async ({ id, name, newName, job }) => engine.clone(id, newName, job, await engine.snapshots.lookup(id, name)),
    'vm.convertDisks': async ({ id, job }) => (await engine.snapshots.convertDisks(id, job), engine.get(id)),
    'vm.filePull': async ({ id, guestPath, hostPath, overwrite, job }, caller) => {
      localOnly(caller, 'copy files from a guest onto this computer');
      await engine.get(id);
      return engine.guest.pullFile(id, guestPath, hostPath, overwrite, job);
    },
    // engine.get first: an unknown id is NOT_FOUND, and a VM no one listed yet gets its state.
    'vm.disks': async ({ id }) => (await engine.get(id), engine.disks.usage(id)),
    'vm.diskConvert': async ({ id, disk, format, job }) => (await engine.get(id), engine.disks.convert(id, disk, format, job)),
    'vm.diskCompact': async ({ id, disk, job }) => (await engine.get(id), engine.disks.compact(id, disk, job)),
    'job.cancel': async ({ job }) => engine.disks.cancel(job),
  };
}

// The full table: engine methods plus the plugged ones.
export function buildHandlers(engine: EngineApi, hostFacts: () => Promise<HostFacts>, plugged: PluggedHandlers): HandlerTable {
  return { ...engineHandlers(engine, hostFacts), ...plugged };
}

// One method as the dispatcher sees it: untyped at this point because its params are still
// unknown; `run` is only ever called with what `params` produced.
export interface RuntimeMethod {
  params: z.ZodTypeAny;
  result: z.ZodTypeAny;
  run: (params: unknown, caller: CallerIdentity) => Promise<unknown>;
}

// A Map, not an object: a method named `constructor` or `__proto__` must find nothing.
export type Dispatch = ReadonlyMap<string, RuntimeMethod>;

// Pairs each METHODS schema with its handler; the one place where the types are erased.
export function dispatchTable(handlers: HandlerTable): Dispatch {
  const table = new Map<string, RuntimeMethod>();
  for (const name of Object.keys(METHODS) as MethodName[]) {
    const run = handlers[name] as unknown as RuntimeMethod['run'];
    if (typeof run !== 'function') continue;
    table.set(name, { params: METHODS[name].params, result: METHODS[name].result, run });
  }
  return table;
}
