import { randomBytes } from 'node:crypto';

// Windows named pipes for QEMU's monitor and serial port. QEMU's `-chardev pipe,path=NAME`
// serves \\.\pipe\NAME, reached from Node with net.connect(path) like a unix socket. Pipe names
// are one namespace for the whole machine and can be listed by anyone, so a name never repeats:
// it carries a random run token picked at each start, which a program waiting for the VM to
// start cannot guess and pre-create (a pipe squatter would otherwise get the helper's commands).

// Where a pipe endpoint lives: the name QEMU is given and the path a client opens.
export interface PipeEndpoint {
  kind: 'pipe';
  name: string;
  path: string;
}

export type PipeChannel = 'qmp' | 'serial';

// The run token of a VM that has not started since its runtime folder was cleared: no QEMU ever
// serves a pipe of this name, so connecting fails at once, as a stopped VM's endpoint should.
export const NO_RUN = 'stopped';

const PART = /^[a-z0-9]{1,64}$/;

// A fresh run token: 128 random bits, lowercase hex.
export function newPipeRun(): string {
  return randomBytes(16).toString('hex');
}

// "openutm-<vm id>-<run>-<channel>": only [a-z0-9-], so nothing in it is special to QEMU's option
// parser (commas), to Windows (backslashes) or to anyone reading a log; each part is checked.
export function pipeName(vmId: string, run: string, channel: PipeChannel): string {
  for (const [what, part] of [['VM id', vmId], ['run token', run]] as const) {
    if (!PART.test(part)) throw new Error(`a ${what} in a pipe name must be 1 to 64 lowercase letters and digits, got ${JSON.stringify(part)}`);
  }
  return `openutm-${vmId}-${run}-${channel}`;
}

// The endpoint of one channel of one run.
export function pipeEndpoint(vmId: string, run: string, channel: PipeChannel): PipeEndpoint {
  const name = pipeName(vmId, run, channel);
  return { kind: 'pipe', name, path: `\\\\.\\pipe\\${name}` };
}
