import { closeSync, constants, fchmodSync, fstatSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { OpenUtmError } from '@openutm/shared';
import { newToken, secureRandom, type RandomSource } from './tokens';
import { restrictToOwnerSync } from './owner-only-acl';
import { writeFileAtomicSync } from './write-file-atomic-sync';

// The helper's secrets live next to the VMs, in one small file only its user may read.
export const SECRETS_FILE = 'secrets.json';
export const SECRETS_VERSION = 1;

// One paired client (a browser, a tray): its SHA-256 only, never the token itself.
export const ClientTokenRecord = z.object({
  id: z.string().regex(/^[0-9a-f]{6,32}$/),
  name: z.string().max(100),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
});
export type ClientTokenRecord = z.infer<typeof ClientTokenRecord>;

const SecretsData = z.object({
  version: z.literal(SECRETS_VERSION),
  // The local CLI's token, raw: the file's 0600 mode is its protection (like a unix socket's).
  localCliToken: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
  clients: z.array(ClientTokenRecord),
});
type SecretsData = z.infer<typeof SecretsData>;

// Where a library keeps its secrets.
export function secretsFilePath(root: string): string {
  return path.join(root, SECRETS_FILE);
}

export interface SecretsStoreOptions {
  random?: RandomSource;
  // Told when the Windows owner-only ACL could not be set (the file then has its folder's).
  log?: (line: string) => void;
}

// The helper's view of secrets.json: read (with its permissions checked and fixed) once at start,
// then written whole, atomically, after each change. Only the helper holding the library lock
// opens it this way; the CLI only reads the local token (readLocalCliToken).
export class SecretsStore {
  private constructor(
    readonly file: string,
    private data: SecretsData,
    private readonly log: (line: string) => void = () => undefined,
  ) {}

  // Opens or creates the library's secrets file. The local CLI token is new on every open, so a
  // token copied out of the file stops working when the helper restarts.
  static open(root: string, options: SecretsStoreOptions = {}): SecretsStore {
    const file = secretsFilePath(root);
    mkdirSync(root, { recursive: true, mode: 0o700 });
    const text = readSecretsText(file);
    const clients = text === null ? [] : parseSecrets(file, text).clients;
    const store = new SecretsStore(file, { version: SECRETS_VERSION, localCliToken: newToken(options.random ?? secureRandom), clients }, options.log);
    store.save();
    return store;
  }

  // The raw token the local CLI sends in `hello`.
  get localCliToken(): string {
    return this.data.localCliToken;
  }

  // Every paired client, oldest first.
  get clients(): readonly ClientTokenRecord[] {
    return this.data.clients;
  }

  // Adds a paired client and writes the file before returning.
  addClient(record: ClientTokenRecord): void {
    this.data = { ...this.data, clients: [...this.data.clients, record] };
    this.save();
  }

  // Removes a client's token and writes the file; returns the record, or null if there was none.
  removeClient(id: string): ClientTokenRecord | null {
    const record = this.data.clients.find((c) => c.id === id) ?? null;
    if (record === null) return null;
    this.data = { ...this.data, clients: this.data.clients.filter((c) => c.id !== id) };
    this.save();
    return record;
  }

  // Notes a client's last use in memory only; the caller decides when to save (it is debounced).
  markUsed(id: string, at: string): void {
    const record = this.data.clients.find((c) => c.id === id);
    if (record) record.lastUsedAt = at;
  }

  // Writes the whole file atomically, mode 0600 (on Windows: an ACL for this account alone).
  save(): void {
    writeFileAtomicSync(this.file, JSON.stringify(this.data, null, 2) + '\n', 0o600, (temp) => {
      const problem = restrictToOwnerSync(temp);
      if (problem !== null) this.log(`could not make ${this.file} private to this account (${problem}); it keeps its folder's permissions`);
    });
  }
}

// The local CLI's token, read the way the helper wrote it. Throws UNAUTHORIZED when there is no
// file yet (no helper has run for this library), with what to do.
export function readLocalCliToken(root: string): string {
  const file = secretsFilePath(root);
  const text = readSecretsText(file);
  if (text === null) {
    throw new OpenUtmError(
      'UNAUTHORIZED',
      `there is no ${file}, so this CLI has no token for the helper; it is written when \`openutm serve\` starts for this library (OPENUTM_HOME=${root}) — start it, or check that OPENUTM_HOME and OPENUTM_PORT point at the same helper`,
    );
  }
  return parseSecrets(file, text).localCliToken;
}

// Reads the file without following a symlink, refusing it when another user owns it or could
// have written it, and narrowing its mode to 0600 when others could read it. null: no file.
function readSecretsText(file: string): string | null {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    if (code === 'ELOOP') throw unsafe(file, 'is a symbolic link');
    throw new OpenUtmError('IO_ERROR', `could not read ${file}: ${(e as Error).message}; check the folder's permissions`, { errno: code });
  }
  try {
    const info = fstatSync(fd);
    if (!info.isFile()) throw unsafe(file, 'is not a regular file');
    // Windows has no mode bits; save() gives the file an owner-only ACL there instead.
    if (process.platform !== 'win32') {
      const me = process.getuid?.();
      if (me !== undefined && info.uid !== me) throw unsafe(file, `belongs to user id ${info.uid}, not to you (user id ${me})`);
      if ((info.mode & 0o022) !== 0) throw unsafe(file, `can be changed by other users (mode ${modeText(info.mode)}), so someone may have added a token to it`);
      if ((info.mode & 0o077) !== 0) fchmodSync(fd, 0o600);
    }
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}

function parseSecrets(file: string, text: string): SecretsData {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new OpenUtmError('CONFIG_INVALID', `${file} is not valid JSON; delete it and restart the helper (paired browsers will need pairing again)`);
  }
  const version = (raw as { version?: unknown } | null)?.version;
  if (typeof version === 'number' && version > SECRETS_VERSION) {
    throw new OpenUtmError('CONFIG_TOO_NEW', `${file} was written by a newer OpenUTM (version ${version}); update OpenUTM to use this library`);
  }
  const parsed = SecretsData.safeParse(raw);
  if (!parsed.success) {
    throw new OpenUtmError('CONFIG_INVALID', `${file} is malformed (${parsed.error.issues[0]?.message ?? 'unknown problem'}); delete it and restart the helper (paired browsers will need pairing again)`);
  }
  return parsed.data;
}

function unsafe(file: string, why: string): OpenUtmError {
  return new OpenUtmError(
    'UNSAFE_PATH',
    `refusing to use ${file}: it ${why}. Delete it and start the helper again (it writes a fresh one, private to you; paired browsers will need pairing again)`,
    { file },
  );
}

function modeText(mode: number): string {
  return '0' + (mode & 0o777).toString(8);
}
