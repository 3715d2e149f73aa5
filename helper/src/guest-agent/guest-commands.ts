import { setTimeout as sleep } from 'node:timers/promises';
import { OpenUtmError, type GuestExecResult, type GuestIp, type GuestOs } from '@openutm/shared';
import type { QgaClient } from './qga-client';
import { QgaExecStarted, QgaExecStatus, QgaHostName, QgaInterfaces, QgaOsInfo, execResult, guestIps, guestOs } from './guest-facts';

export interface GuestFacts {
  hostname: string | null;
  os: GuestOs | null;
  ips: GuestIp[];
}

// Hostname, OS and addresses in three questions. A part an agent does not offer (older agents
// lack guest-get-osinfo; Windows ones may refuse the interfaces without rights) stays empty.
export async function readGuestFacts(qga: QgaClient, opts: { all: boolean }): Promise<GuestFacts> {
  const optional = async <T>(p: Promise<T>): Promise<T | null> => {
    try {
      return await p;
    } catch (e) {
      if (e instanceof OpenUtmError && e.code === 'GUEST_AGENT_FAILED' && e.details?.agentClass !== undefined) return null;
      throw e;
    }
  };
  const host = await optional(qga.execute('guest-get-host-name', QgaHostName));
  const os = await optional(qga.execute('guest-get-osinfo', QgaOsInfo));
  const ifaces = await optional(qga.execute('guest-network-get-interfaces', QgaInterfaces));
  return { hostname: host?.['host-name'] ?? null, os: os ? guestOs(os) : null, ips: ifaces ? guestIps(ifaces, opts) : [] };
}

export interface ExecRequest {
  path: string;
  args: string[];
  // base64
  stdin?: string;
  timeoutMs: number;
}

// How often a running command is asked whether it has finished: soon at first (most commands
// take milliseconds), then less often so a long one does not keep the agent busy.
function pollDelay(attempt: number): number {
  return Math.min(500, 20 * 2 ** attempt);
}

// Runs a program in the guest (guest-exec, output captured) and waits for it to end.
export async function guestExec(qga: QgaClient, req: ExecRequest): Promise<GuestExecResult> {
  const deadline = Date.now() + req.timeoutMs;
  const { pid } = await qga.execute('guest-exec', QgaExecStarted, {
    path: req.path,
    arg: req.args,
    'capture-output': true,
    ...(req.stdin !== undefined && req.stdin !== '' && { 'input-data': req.stdin }),
  });
  for (let attempt = 0; ; attempt++) {
    const status = await qga.execute('guest-exec-status', QgaExecStatus, { pid });
    if (status.exited) return execResult(status);
    if (Date.now() >= deadline) {
      throw new OpenUtmError('GUEST_AGENT_FAILED', `${req.path} (pid ${pid} in the guest) is still running after ${Math.round(req.timeoutMs / 1000)} s; give it longer with --timeout, or end it in the guest`, { pid });
    }
    await sleep(Math.min(pollDelay(attempt), Math.max(1, deadline - Date.now())));
  }
}

// Asks the guest's own OS to power off (for guests that ignore the ACPI button).
export async function guestShutdown(qga: QgaClient): Promise<void> {
  await qga.sendUnanswered('guest-shutdown', { mode: 'powerdown' }, 2_000);
}
