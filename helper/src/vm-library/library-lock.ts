import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import { link, open, readFile, readdir, unlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { OpenUtmError } from '@openutm/shared';
import { LOCK_FILE } from './library-paths';

// What a lock file says about its owner; shown to a person when a second helper is refused.
export interface LockOwner {
  pid: number;
  hostname: string;
  startedAt: string;
  purpose: string;
  // Random per acquisition, so two lock files never hash alike (see identity()).
  nonce: string;
}

export interface LockOptions {
  // Who holds the lock and how to reach it, e.g. "the OpenUTM helper serving http://127.0.0.1:47320".
  purpose: string;
  // How many times to wait for a takeover someone else is in the middle of; 50 ms apart.
  busyRetries?: number;
}

const DEFAULT_BUSY_RETRIES = 40;
const CANDIDATE_PATTERN = /^\.lock\.candidate-(\d+)-[0-9a-f]+$/;
const TAKEOVER_PATTERN = /^\.lock\.takeover-[0-9a-f]{64}$/;

// Signal 0 tests for existence without touching the process; EPERM means alive but not ours.
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// A lock file is identified by the hash of its bytes: a takeover removes only the exact file it
// judged stale, never one a faster racer put there meanwhile.
function identity(raw: Buffer): string {
  return createHash('sha256').update(raw).digest('hex');
}

function parseOwner(raw: Buffer): LockOwner | null {
  try {
    const v = JSON.parse(raw.toString('utf8')) as Partial<LockOwner>;
    if (typeof v.pid !== 'number' || !Number.isInteger(v.pid) || v.pid <= 0 || typeof v.hostname !== 'string') return null;
    return {
      pid: v.pid,
      hostname: v.hostname,
      startedAt: String(v.startedAt ?? 'at an unknown time'),
      purpose: String(v.purpose ?? 'an OpenUTM helper'),
      nonce: String(v.nonce ?? ''),
    };
  } catch {
    return null;
  }
}

async function readRaw(file: string): Promise<Buffer | null> {
  try {
    return await readFile(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

// Who holds a lock right now, judged from its file. Locks from another host are treated as live:
// a library on a shared drive may be in use by a helper this machine cannot see, and guessing
// wrong would let two helpers write one vm.json. A person can delete the file after checking.
type Verdict = { kind: 'live'; owner: LockOwner } | { kind: 'stale' } | { kind: 'unreadable' };
function judge(raw: Buffer, hostname: string): Verdict {
  const owner = parseOwner(raw);
  if (!owner) return { kind: 'unreadable' };
  if (owner.hostname !== hostname) return { kind: 'live', owner };
  return isAlive(owner.pid) ? { kind: 'live', owner } : { kind: 'stale' };
}

function lockedError(lockPath: string, owner: LockOwner, hostname: string): OpenUtmError {
  const where = owner.hostname === hostname ? `pid ${owner.pid}` : `pid ${owner.pid} on the computer "${owner.hostname}"`;
  const fix =
    owner.hostname === hostname
      ? 'Stop that helper first, or use the library through it (the web UI and the openutm CLI talk to the running helper).'
      : `Stop that helper first. If that computer no longer runs it, delete ${lockPath} and try again.`;
  return new OpenUtmError(
    'LIBRARY_LOCKED',
    `${owner.purpose} (${where}, started ${owner.startedAt}) owns the VM library at ${path.dirname(lockPath)}. ${fix}`,
    { pid: owner.pid, hostname: owner.hostname, startedAt: owner.startedAt, purpose: owner.purpose },
  );
}

// Makes sure only one helper owns a library. The lock file appears complete and atomically
// (hard link of a finished temp file: EEXIST if held; works on ext4, APFS and NTFS); a lock whose
// owner died is taken over so that of any number of racers exactly one wins.
export class LibraryLock {
  private released = false;
  private readonly onExit = (): void => this.releaseSync();

  private constructor(
    readonly lockPath: string,
    readonly owner: LockOwner,
    private readonly raw: Buffer,
  ) {
    // A normal exit (including process.exit) drops the lock; a kill leaves it, and the next
    // helper sees the dead pid and takes it over.
    process.on('exit', this.onExit);
  }

  // Takes the lock of the library at root, or throws LIBRARY_LOCKED naming the owner.
  static async acquire(root: string, options: LockOptions): Promise<LibraryLock> {
    const lockPath = path.join(root, LOCK_FILE);
    const hostname = os.hostname();
    const owner: LockOwner = {
      pid: process.pid,
      hostname,
      startedAt: new Date().toISOString(),
      purpose: options.purpose,
      nonce: randomBytes(16).toString('hex'),
    };
    const raw = Buffer.from(JSON.stringify(owner) + '\n');
    const candidate = path.join(root, `.lock.candidate-${process.pid}-${randomBytes(6).toString('hex')}`);
    await writeComplete(candidate, raw).catch((e: unknown) => {
      const err = e as NodeJS.ErrnoException;
      throw new OpenUtmError('IO_ERROR', `could not write the lock of the VM library at ${root}: ${err.message}; check that the folder exists and is writable`, {
        errno: err.code,
      });
    });
    try {
      let busy = 0;
      let unreadable = 0;
      for (;;) {
        if (await createExclusive(candidate, lockPath, raw)) break;
        const current = await readRaw(lockPath);
        if (current === null) continue; // released between our attempt and the read: try again
        const verdict = judge(current, hostname);
        if (verdict.kind === 'live') throw lockedError(lockPath, verdict.owner, hostname);
        if (verdict.kind === 'unreadable' && unreadable++ < 20) {
          // Only the copy fallback (file systems without hard links) can show a half-written
          // lock, for an instant; a lock that stays unreadable was left by a crash.
          await sleep(50);
          continue;
        }
        const outcome = await takeOver(root, lockPath, identity(current), { candidate, raw, hostname }, 0);
        if (outcome === 'busy') {
          if (busy++ >= (options.busyRetries ?? DEFAULT_BUSY_RETRIES)) {
            throw new OpenUtmError('LIBRARY_LOCKED', `another helper is taking over the VM library at ${root} right now; try again in a moment`);
          }
          await sleep(50);
        }
      }
    } finally {
      await unlink(candidate).catch(() => undefined);
    }
    // Tidying is best effort: failing here must not strand the lock we now hold.
    await removeLeftovers(root).catch(() => undefined);
    return new LibraryLock(lockPath, owner, raw);
  }

  // Removes the lock only if the file is still ours, so a release never deletes a successor's lock.
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    process.off('exit', this.onExit);
    const current = await readRaw(this.lockPath);
    if (current !== null && current.equals(this.raw)) await unlink(this.lockPath).catch(() => undefined);
  }

  // The same, synchronously, for the process 'exit' event where no promise can run.
  releaseSync(): void {
    if (this.released) return;
    this.released = true;
    process.off('exit', this.onExit);
    try {
      if (readFileSync(this.lockPath).equals(this.raw)) unlinkSync(this.lockPath);
    } catch {
      // Gone already, or unreadable: either way nothing of ours to remove.
    }
  }
}

async function writeComplete(file: string, data: Buffer): Promise<void> {
  const handle = await open(file, 'wx', 0o600);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

// Creates `target` with our content only if it does not exist. Returns false when it exists.
async function createExclusive(candidate: string, target: string, raw: Buffer): Promise<boolean> {
  try {
    await link(candidate, target);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    // FAT/exFAT and some network shares have no hard links: O_EXCL create, then write.
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS' && code !== 'EXDEV') throw e;
  }
  try {
    await writeComplete(target, raw);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
}

// Removes the stale file `file` (whose bytes hash to staleId) so the caller can retry creating it.
// The right to remove it is itself a file, `.lock.takeover-<staleId>`, created exclusively: only
// its holder may delete that exact stale lock, and it re-reads the lock first, so a racer that
// arrives late finds a different file and backs off. A taker that died holding the marker
// leaves a stale marker, which is taken over the same way (one level deeper).
type Outcome = 'done' | 'busy';
interface Taker {
  candidate: string;
  raw: Buffer;
  hostname: string;
}
async function takeOver(root: string, file: string, staleId: string, me: Taker, depth: number): Promise<Outcome> {
  const marker = path.join(root, `.lock.takeover-${staleId}`);
  if (!(await createExclusive(me.candidate, marker, me.raw))) {
    const held = await readRaw(marker);
    if (held === null) return 'busy';
    const verdict = judge(held, me.hostname);
    if (verdict.kind !== 'stale' || depth >= 3) return 'busy';
    await takeOver(root, marker, identity(held), me, depth + 1);
    return 'busy'; // the dead taker's marker is gone now; the caller's next round retries
  }
  try {
    const current = await readRaw(file);
    if (current !== null && identity(current) === staleId) await unlink(file);
    return 'done';
  } finally {
    await unlink(marker).catch(() => undefined);
  }
}

// Candidate files and takeover markers of processes that died mid-acquire; harmless, but clutter.
async function removeLeftovers(root: string): Promise<void> {
  const hostname = os.hostname();
  for (const name of await readdir(root).catch(() => [] as string[])) {
    const full = path.join(root, name);
    const candidate = CANDIDATE_PATTERN.exec(name);
    if (candidate && Number(candidate[1]) !== process.pid && !isAlive(Number(candidate[1]))) {
      await unlink(full).catch(() => undefined);
    } else if (TAKEOVER_PATTERN.test(name)) {
      const raw = await readRaw(full);
      if (raw !== null && judge(raw, hostname).kind === 'stale') await unlink(full).catch(() => undefined);
    }
  }
}
