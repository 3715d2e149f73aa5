import { OpenUtmError, isOpenUtmError } from '@openutm/shared';
import { ApiClient } from '../api-client/api-client';
import { readLocalCliToken, secretsFilePath } from '../auth/secrets-store';
import { defaultLibraryRoot } from '../vm-library/library-paths';
import { HELPER_VERSION } from '../version';
import { apiUrl, helperPort } from './helper-address';
import { isListening, launchHelper, type HelperCommand } from './helper-launcher';

// A CLI call may take long (creating disks, a guest's shut-down); each command can ask for more.
const CLI_CALL_TIMEOUT_MS = 5 * 60_000;

export interface ConnectOptions {
  env: NodeJS.ProcessEnv;
  // Told once when a helper had to be started.
  err: (line: string) => void;
  // Overrides how the helper is started (tests).
  helperCommand?: HelperCommand;
  startTimeoutMs?: number;
}

// Connects the CLI to the library's helper, starting one in the background when none listens,
// and authenticates with the local token from the library's secrets file.
export async function connectToHelper(opts: ConnectOptions): Promise<ApiClient> {
  const root = defaultLibraryRoot(opts.env);
  const port = helperPort(opts.env);
  if (!(await isListening(port))) {
    const pid = await launchHelper({ root, port, env: opts.env, command: opts.helperCommand, timeoutMs: opts.startTimeoutMs });
    opts.err(`started the OpenUTM helper (pid ${pid})`);
  }
  const token = readLocalCliToken(root);
  try {
    return await ApiClient.connect({ url: apiUrl(port), token, clientName: 'openutm CLI', clientVersion: HELPER_VERSION, callTimeoutMs: CLI_CALL_TIMEOUT_MS });
  } catch (e) {
    if (isOpenUtmError(e) && e.code === 'UNAUTHORIZED') {
      throw new OpenUtmError(
        'UNAUTHORIZED',
        `${e.message}. The CLI used the token in ${secretsFilePath(root)}; if the helper on port ${port} serves another library, set OPENUTM_HOME and OPENUTM_PORT to match it (or try again if it just restarted)`,
        e.details,
      );
    }
    throw e;
  }
}
