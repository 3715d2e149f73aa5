import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';

// Who the file is kept for: the account this process runs as.
export interface WindowsAccount {
  username: string;
  // USERDOMAIN: the machine name for local accounts, the domain for domain accounts.
  domain: string | undefined;
}

// icacls arguments that leave a file to its owner alone: inherited entries removed (a library
// folder outside the user profile may let every user read), full control granted to the account
// only. Administrators and SYSTEM can still take any file, as root can on POSIX.
export function ownerOnlyAclArgs(file: string, account: WindowsAccount): string[] {
  const who = account.domain ? `${account.domain}\\${account.username}` : account.username;
  return [file, '/inheritance:r', '/grant:r', `${who}:F`, '/q'];
}

export function currentWindowsAccount(env: NodeJS.ProcessEnv = process.env): WindowsAccount {
  return { username: os.userInfo().username, domain: env.USERDOMAIN || undefined };
}

// The Windows stand-in for mode 0600 (chmod only toggles read-only there). Best effort: on
// failure the file keeps the folder's inherited permissions, which in the default library
// (%LOCALAPPDATA%) are already the user's alone; the reason is returned for the caller to log.
export function restrictToOwnerSync(file: string, env: NodeJS.ProcessEnv = process.env): string | null {
  const icacls = path.win32.join(env.SystemRoot ?? env.SYSTEMROOT ?? 'C:\\Windows', 'System32', 'icacls.exe');
  // Synchronous: the secrets file is written by a synchronous store, before anything reads it.
  // node:child_process rather than execa: execa only loads asynchronously in the helper (load-execa.ts
  // says why), and one blocking run of icacls needs nothing spawnSync lacks.
  const r = spawnSync(icacls, ownerOnlyAclArgs(file, currentWindowsAccount(env)), { windowsHide: true, timeout: 30_000, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  if (r.error) return `${icacls}: ${r.error.message}`;
  if (r.status === 0) return null;
  if (r.status === null) return `${icacls} was stopped by ${r.signal ?? 'a signal'}`;
  return `${icacls} exited with ${r.status}: ${(r.stderr || r.stdout).trim()}`;
}
