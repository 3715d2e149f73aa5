import type { z } from 'zod';
import { OpenUtmError, canPerform, whyNot, type METHODS, type MethodResult, type VmStatus } from '@openutm/shared';
import type { ConsoleTarget } from './console-target';
import type { CallerIdentity } from '../api/api-auth';
import type { ConsoleTickets } from './console-tickets';

// What the console methods need from the engine (VmEngine has it).
export interface ConsoleMethodsEngine {
  get(id: string): Promise<{ status: VmStatus }>;
  consoleTarget(id: string): Promise<ConsoleTarget>;
  screenshot(id: string): Promise<Buffer>;
}

// What the console methods are built from; `now` is injectable for tests.
export interface ConsoleMethodsDeps {
  engine: ConsoleMethodsEngine;
  tickets: ConsoleTickets;
  now?: () => Date;
}

type Params<M extends keyof typeof METHODS> = z.output<(typeof METHODS)[M]['params']>;

// The URL path of a VM's console WebSockets; the ticket (and channel) go in the query.
export function consolePath(id: string): string {
  return `/console/${encodeURIComponent(id)}`;
}

// console.open: checks the VM can show this console now, then issues a ticket bound to it.
// The ticket is issued to the caller's token, so revoking that token kills it.
export async function consoleOpen(deps: ConsoleMethodsDeps, params: Params<'console.open'>, caller?: CallerIdentity): Promise<MethodResult<'console.open'>> {
  const { status } = await deps.engine.get(params.id);
  if (!canPerform(status.state, 'console')) throw new OpenUtmError('INVALID_STATE', whyNot(status.state, 'console') ?? 'not allowed now');
  const target = params.channel === 'serial' ? null : await deps.engine.consoleTarget(params.id);
  const { ticket, expiresAt } = deps.tickets.issue(params.id, params.channel, caller?.tokenId ?? null);
  const opened: MethodResult<'console.open'> = {
    ticket,
    expiresAt,
    path: consolePath(params.id),
    protocol: target?.protocol ?? 'serial',
    ...(target?.clipboard === undefined ? {} : { clipboard: target.clipboard }),
  };
  // The client authenticates to QEMU itself (SPICE encrypts the password with QEMU's key in the
  // link stage, so the bridge cannot add it); only TCP displays have one.
  return target?.password === undefined ? opened : { ...opened, password: target.password };
}

// vm.screenshot: the VM's screen as base64 PNG.
export async function vmScreenshot(deps: ConsoleMethodsDeps, params: Params<'vm.screenshot'>): Promise<MethodResult<'vm.screenshot'>> {
  const png = await deps.engine.screenshot(params.id);
  return { png: png.toString('base64'), takenAt: (deps.now?.() ?? new Date()).toISOString() };
}

// Both methods keyed by name, for the API server's method table.
export function consoleMethods(deps: ConsoleMethodsDeps): {
  'console.open': (params: Params<'console.open'>, caller?: CallerIdentity) => Promise<MethodResult<'console.open'>>;
  'vm.screenshot': (params: Params<'vm.screenshot'>) => Promise<MethodResult<'vm.screenshot'>>;
} {
  return {
    'console.open': (params, caller) => consoleOpen(deps, params, caller),
    'vm.screenshot': (params) => vmScreenshot(deps, params),
  };
}
