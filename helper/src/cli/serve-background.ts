import { defaultLibraryRoot } from '../vm-library/library-paths';
import { helperPort } from './helper-address';
import { helperLogPath, isListening, launchHelper } from './helper-launcher';

// `openutm serve --background`: starts the helper detached, with no console window, its output
// in the library's logs/helper.log, and returns. Windows runs this at login: a console program
// started from the Run key would otherwise keep a console window open, and closing it would
// stop the helper.
export async function serveInBackground(io: { out: (s: string) => void }, env: NodeJS.ProcessEnv): Promise<number> {
  const port = helperPort(env);
  const root = defaultLibraryRoot(env);
  if (await isListening(port)) {
    io.out(`a helper already listens on port ${port}; nothing started`);
    return 0;
  }
  const pid = await launchHelper({ root, port, env });
  io.out(`started the OpenUTM helper (pid ${pid}) in the background; its log is ${helperLogPath(root)}`);
  return 0;
}
