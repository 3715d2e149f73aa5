import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { OpenUtmError } from '@openutm/shared';
import { z } from 'zod';
import { newPipeRun } from './pipe-names';

const Port = z.number().int().min(0).max(65_535);

// The loopback ports of one running VM's QEMU on Windows, where Node reaches no AF_UNIX socket.
// They are picked at start and kept in the VM's runtime dir, so a restarted helper finds them.
// `run` names this start's Windows pipes (pipe-names.ts); absent before a start and off Windows.
export const EndpointPorts = z
  .object({ qmp: Port, spice: Port, vnc: Port, serial: Port, guestAgent: Port, tpm: Port, run: z.string().regex(/^[0-9a-f]{32}$/).optional() })
  .strict();
export type EndpointPorts = z.infer<typeof EndpointPorts>;

export const PORTS_FILE = 'ports.json';

// Port 0 everywhere: no QEMU listens (the VM has not run since the runtime dir was cleared).
// Connecting to port 0 fails at once, which is what a stopped VM's endpoint should do.
export const NO_PORTS: EndpointPorts = { qmp: 0, spice: 0, vnc: 0, serial: 0, guestAgent: 0, tpm: 0 };

// QEMU's VNC server can only listen on 5900 + a display number.
export const VNC_PORTS = { first: 5900, last: 5999 } as const;

export function parsePortsFile(text: string): EndpointPorts | null {
  try {
    const parsed = EndpointPorts.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

// Synchronous: the engine lays out a VM's paths on every request, and the file is tiny.
export function readPortsFileSync(runtimeDir: string): EndpointPorts {
  try {
    return parsePortsFile(readFileSync(path.join(runtimeDir, PORTS_FILE), 'utf8')) ?? NO_PORTS;
  } catch {
    return NO_PORTS;
  }
}

export async function writePortsFile(runtimeDir: string, ports: EndpointPorts): Promise<void> {
  await writeFile(path.join(runtimeDir, PORTS_FILE), `${JSON.stringify(ports)}\n`, { mode: 0o600 });
}

// Listens on 127.0.0.1:port (0 = any free one) and gives back the port it got, or null when taken.
export type PortProbe = (port: number) => Promise<number | null>;

export const probeLoopbackPort: PortProbe = (port) =>
  new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(null));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => {
      const got = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(got));
    });
  });

// Free loopback ports for every endpoint, all different: ephemeral ones from the OS, VNC's from
// its fixed range. Another program may take one before QEMU binds it; QEMU then refuses to start
// with "Address already in use" and starting again picks new ones.
export async function pickLoopbackPorts(probe: PortProbe = probeLoopbackPort): Promise<EndpointPorts> {
  const taken = new Set<number>();
  const ephemeral = async (): Promise<number> => {
    for (let i = 0; i < 20; i++) {
      const port = await probe(0);
      if (port !== null && port !== 0 && !taken.has(port)) {
        taken.add(port);
        return port;
      }
    }
    throw new OpenUtmError('QEMU_FAILED', 'Windows gave no free loopback port for QEMU in 20 tries; close programs that hold many connections open and start the VM again');
  };
  const ports = { qmp: await ephemeral(), spice: await ephemeral(), serial: await ephemeral(), guestAgent: await ephemeral(), tpm: await ephemeral(), run: newPipeRun() };
  for (let port = VNC_PORTS.first; port <= VNC_PORTS.last; port++) {
    if (!taken.has(port) && (await probe(port)) === port) return { ...ports, vnc: port };
  }
  throw new OpenUtmError('QEMU_FAILED', `every VNC port from ${VNC_PORTS.first} to ${VNC_PORTS.last} is in use, so QEMU has nowhere to show this VM's screen; stop another VM or VNC server and start again`);
}
