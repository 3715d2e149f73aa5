import { readFile, readdir, readlink } from 'node:fs/promises';
import { findSocketInode, procTcpEndpoint, socketInodeOfLink } from './proc-net-tcp';

// Where a TCP connection's two ends are, as the accepted socket reports them.
export interface PeerAddress {
  localAddress: string;
  localPort: number;
  remoteAddress: string;
  remotePort: number;
}

// Decides whether a connection comes from one of the helper's own QEMU processes.
export type PeerCheck = (peer: PeerAddress) => Promise<boolean>;

// Defence in depth on Linux: with user-mode networking a guest's connections to 10.0.2.2 leave
// through QEMU's own sockets, so a connection whose peer socket sits in a QEMU process's fd table
// is a guest's, and the helper has nothing to say to it. The peer is found in /proc/net/tcp by
// its port; its inode is then looked for among the fds of each running QEMU. Anything unclear
// (no /proc, a vanished process, an IPv6 peer) counts as "not QEMU": the real UI and CLI must
// never be refused by this check, which only adds to the limits that hold anyway.
export function qemuPeerCheck(qemuPids: () => readonly number[], proc = '/proc'): PeerCheck {
  return async (peer) => {
    const pids = qemuPids();
    if (pids.length === 0 || !/^\d+\.\d+\.\d+\.\d+$/.test(peer.remoteAddress)) return false;
    const table = await readFile(`${proc}/net/tcp`, 'latin1').catch(() => '');
    const inode = findSocketInode(table, procTcpEndpoint(peer.remoteAddress, peer.remotePort), procTcpEndpoint(peer.localAddress, peer.localPort));
    if (inode === null) return false;
    const owners = await Promise.all(pids.map((pid) => holdsSocket(`${proc}/${pid}/fd`, inode)));
    return owners.includes(true);
  };
}

// Whether a process (its fd folder) has the socket open; false when it cannot be read.
async function holdsSocket(fdDir: string, inode: number): Promise<boolean> {
  const fds = await readdir(fdDir).catch(() => [] as string[]);
  const targets = await Promise.all(fds.map((fd) => readlink(`${fdDir}/${fd}`).catch(() => '')));
  return targets.some((t) => socketInodeOfLink(t) === inode);
}
