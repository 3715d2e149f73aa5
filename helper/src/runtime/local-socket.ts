import { createHash } from 'node:crypto';
import path from 'node:path';
import type { HostOs } from '@openutm/shared';
import { hostOsOf } from '../host/host-platform';

// Windows has a 256-character limit on pipe names; ours stay far below it.
const PIPE_PREFIX = '\\\\.\\pipe\\';

// The name a local stream socket goes by for net.Server.listen and net.connect: a file in `dir`
// on POSIX; on Windows a named pipe, because Node there reads every `path` as a pipe name and
// cannot reach AF_UNIX sockets at all. Pipes live in one flat namespace, so the name carries a
// hash of `dir`: two directories never share a pipe, and the same (dir, name) always meets.
export function localSocketPath(dir: string, name: string, hostOs: HostOs = hostOsOf(process.platform)): string {
  if (hostOs !== 'win32') return path.posix.join(dir, name);
  const tag = createHash('sha256').update(dir).digest('hex').slice(0, 16);
  return `${PIPE_PREFIX}openutm-${tag}-${name.replace(/[\\/]/g, '_')}`;
}
