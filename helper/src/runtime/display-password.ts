import { randomBytes } from 'node:crypto';
import { open, readFile } from 'node:fs/promises';
import { OpenUtmError } from '@openutm/shared';
import { restrictToOwnerSync } from '../auth/owner-only-acl';

// 32 random bytes as base64url: 43 characters, 256 bits. SPICE takes tickets of up to 60 bytes,
// so all of it counts there. VNC's authentication is DES keyed by the first 8 characters only
// (the RFB protocol, not QEMU), which leaves 48 bits: a local user who can reach the port and
// guesses them sees the screen. That is why the builder warns when a VNC display is on TCP.
const PASSWORD_BYTES = 32;

// A fresh display password for one run of QEMU: it dies with the runtime dir when QEMU exits.
export function newDisplayPassword(): string {
  return randomBytes(PASSWORD_BYTES).toString('base64url');
}

// Written before QEMU starts and never rewritten ('wx': the start cleared the runtime dir), owner
// only, so the password is in no process listing and no other user can read it. Windows ignores
// the mode: there the file gets an owner-only ACL before the password is in it (best effort; the
// runtime dir under %TEMP% is in the user's profile, already the user's alone by default).
export async function writeDisplayPassword(file: string, password: string): Promise<void> {
  const handle = await open(file, 'wx', 0o600);
  try {
    if (process.platform === 'win32') restrictToOwnerSync(file);
    await handle.writeFile(password, 'utf8');
  } finally {
    await handle.close();
  }
}

// The password of the running QEMU, for console.open; a restarted helper reads the same file.
export async function readDisplayPassword(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    throw new OpenUtmError('CONFLICT', `the display password of this VM cannot be read (${(e as Error).message}); stop and start the VM to make a new one`);
  }
}
