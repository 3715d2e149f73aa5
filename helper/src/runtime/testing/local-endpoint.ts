// Test fixture: where a stand-in for QEMU listens, the way the helper reaches QEMU on this host.
// A unix socket in `dir` on POSIX; loopback TCP on Windows, as SPICE and VNC are reached there
// (runtime-paths.ts). Windows' named pipes for QMP and serial have their own stand-in, which
// also waits at each pipe as QEMU does (vm-service/pipe-channels.test.ts).
import net from 'node:net';
import path from 'node:path';
import type { HostOs } from '@openutm/shared';
import { hostOsOf } from '../../host/host-platform';
import type { Endpoint } from '../runtime-paths';

export function listenLocal(server: net.Server, dir: string, name: string, hostOs: HostOs = hostOsOf(process.platform)): Promise<Endpoint> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    if (hostOs === 'win32') {
      server.listen(0, '127.0.0.1', () => resolve({ kind: 'tcp', host: '127.0.0.1', port: (server.address() as net.AddressInfo).port }));
    } else {
      const where = path.join(dir, name);
      server.listen(where, () => resolve({ kind: 'unix', path: where }));
    }
  });
}

// An endpoint nothing listens on (yet): a socket file never created, or a port just let go.
// listenOn makes it real later, for tests of waiting and retrying.
export async function vacantEndpoint(dir: string, name: string, hostOs: HostOs = hostOsOf(process.platform)): Promise<Endpoint> {
  if (hostOs !== 'win32') return { kind: 'unix', path: path.join(dir, name) };
  const probe = net.createServer();
  const endpoint = await listenLocal(probe, dir, name, hostOs);
  await new Promise((resolve) => probe.close(resolve));
  return endpoint;
}

// Starts `server` on a vacant endpoint.
export function listenOn(server: net.Server, endpoint: Endpoint): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    if (endpoint.kind === 'unix') server.listen(endpoint.path, () => resolve());
    else server.listen(endpoint.port, endpoint.host, () => resolve());
  });
}
