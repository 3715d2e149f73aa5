import type { ControlEndpoint, Endpoint } from '../runtime/runtime-paths';
import { optionString, type OptionValue } from './option-string';

// A socket chardev on one of the VM's runtime endpoints: a unix socket, or loopback TCP on
// Windows. 'listen' is QEMU's side of QMP, serial and agents (wait=off: QEMU must not block
// until someone connects); 'connect' is QEMU dialling out, as it does to swtpm.
export function socketChardev(
  id: string,
  endpoint: Endpoint,
  role: 'listen' | 'connect',
  extra: Record<string, OptionValue | undefined> = {},
): string {
  const where = endpoint.kind === 'unix' ? { path: endpoint.path } : { host: endpoint.host, port: endpoint.port };
  const server = role === 'listen' ? { server: true, wait: false } : {};
  return optionString('socket', { id, ...where, ...server, ...extra });
}

// QMP's and the serial port's chardev: a listening socket, or on Windows a named pipe. QEMU
// makes \\.\pipe\<path> and, unlike a socket with wait=off, waits at startup until a client opens
// it, one pipe after the other, and serves that one client only (chardev/char-pipe.c).
export function controlChardev(id: string, endpoint: ControlEndpoint, extra: Record<string, OptionValue | undefined> = {}): string {
  if (endpoint.kind === 'pipe') return optionString('pipe', { id, path: endpoint.name, ...extra });
  return socketChardev(id, endpoint, 'listen', extra);
}
