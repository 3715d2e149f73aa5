import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import type { HostOs } from '@openutm/shared';
import type { EndpointPorts } from './loopback-ports';
import { NO_RUN, pipeEndpoint, type PipeEndpoint } from './pipe-names';

// Where QEMU listens: a unix socket wherever the host has them; on Windows, where Node cannot
// reach AF_UNIX sockets, SPICE and VNC listen on loopback TCP with a per-run password (display.ts,
// display-password.ts), and QMP and serial, which QEMU cannot protect with a password, move to
// named pipes (ControlEndpoint, pipe-names.ts). The price of pipes: QEMU waits at each one for a
// client at start and serves that client once, so a restarted helper cannot re-attach to a VM
// started by the one before (README, Windows). The guest agent, which nothing would hold, is
// left out there (sharing.ts).
export type Endpoint = { kind: 'unix'; path: string } | { kind: 'tcp'; host: '127.0.0.1'; port: number };

// QMP and the serial port, which on Windows leave loopback TCP for named pipes (pipe-names.ts):
// no port a guest (user networking reaches the host's 127.0.0.1) or another user can drive.
export type ControlEndpoint = Endpoint | PipeEndpoint;

// Every file the helper lets QEMU create for one running VM. The helper picks all these names.
export interface RuntimePaths {
  dir: string;
  qmp: ControlEndpoint;
  spice: Endpoint;
  vnc: Endpoint;
  serial: ControlEndpoint;
  guestAgent: Endpoint;
  tpm: Endpoint;
  pidFile: string;
  qemuLog: string;
  // The helper's copy of the guest's serial output, and QEMU's (serial-log-file.ts says why two).
  serialLog: string;
  serialQemuLog: string;
  // The display password of a loopback-TCP display, which QEMU reads as a secret object (0600).
  displayPassword: string;
  // What the argument builder warned about for the running QEMU.
  launchWarnings: string;
}

// Unix socket paths must fit sun_path (104 bytes on macOS, 108 on Linux) with room to spare.
export const MAX_SOCKET_PATH = 100;

export interface RuntimeRootInput {
  os: HostOs;
  uid: number | null;
  home: string;
  env: Record<string, string | undefined>;
  tmpdir: string;
}

// A private directory per user and per library, so two libraries (tests, users) never share sockets.
// macOS's $TMPDIR is long enough to break socket paths, so /tmp is used there.
export function runtimeRoot(input: RuntimeRootInput): string {
  const libraryTag = createHash('sha256').update(input.home).digest('hex').slice(0, 8);
  if (input.os === 'win32') return path.win32.join(input.tmpdir, 'openutm', libraryTag);
  const base = input.env.XDG_RUNTIME_DIR && input.os === 'linux' ? input.env.XDG_RUNTIME_DIR : '/tmp';
  const userDir = input.env.XDG_RUNTIME_DIR && input.os === 'linux' ? 'openutm' : `openutm-${input.uid ?? 'user'}`;
  return path.posix.join(base, userDir, libraryTag);
}

export function defaultRuntimeRoot(home: string): string {
  return runtimeRoot({
    os: process.platform as HostOs,
    uid: typeof process.getuid === 'function' ? process.getuid() : null,
    home,
    env: process.env,
    tmpdir: os.tmpdir(),
  });
}

// Lays out one VM's runtime files. With tcpPorts (picked at start, kept in the runtime dir:
// loopback-ports.ts) the endpoints are loopback TCP: always on Windows, and on other hosts only
// when OPENUTM_QEMU_ENDPOINTS=tcp asks for it (tests of the Windows path).
export function runtimePathsFor(root: string, vmId: string, hostOs: HostOs, tcpPorts?: EndpointPorts): RuntimePaths {
  const join = hostOs === 'win32' ? path.win32.join : path.posix.join;
  const dir = join(root, vmId);
  const ep = (name: string, key: Exclude<keyof EndpointPorts, 'run'>): Endpoint => {
    if (hostOs === 'win32' || tcpPorts) {
      if (!tcpPorts) throw new Error('Windows hosts need loopback TCP ports for QEMU endpoints');
      return { kind: 'tcp', host: '127.0.0.1', port: tcpPorts[key] };
    }
    const p = join(dir, name);
    if (Buffer.byteLength(p) > MAX_SOCKET_PATH) {
      throw new Error(`socket path ${p} is longer than ${MAX_SOCKET_PATH} bytes; set a shorter XDG_RUNTIME_DIR`);
    }
    return { kind: 'unix', path: p };
  };
  // Windows: QMP and serial on named pipes of this run (the run token is kept with the ports).
  const control = (name: string, key: 'qmp' | 'serial'): ControlEndpoint =>
    hostOs === 'win32' ? pipeEndpoint(vmId, tcpPorts?.run ?? NO_RUN, key) : ep(name, key);
  return {
    dir,
    qmp: control('qmp.sock', 'qmp'),
    spice: ep('spice.sock', 'spice'),
    vnc: ep('vnc.sock', 'vnc'),
    serial: control('serial.sock', 'serial'),
    guestAgent: ep('qga.sock', 'guestAgent'),
    tpm: ep('swtpm.sock', 'tpm'),
    pidFile: join(dir, 'qemu.pid'),
    qemuLog: join(dir, 'qemu.log'),
    serialLog: join(dir, 'serial.log'),
    serialQemuLog: join(dir, 'serial-qemu.log'),
    displayPassword: join(dir, 'display-password'),
    launchWarnings: join(dir, 'launch-warnings.json'),
  };
}
