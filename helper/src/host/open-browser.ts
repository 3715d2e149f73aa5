import { loadExeca } from './load-execa';
import type { HostOs } from '@openutm/shared';

// How to show a URL in the person's default browser on this OS, or why not to try.
export type BrowserCommand = { file: string; args: string[] } | { skip: string };

// Pure, so each OS's command is tested everywhere. The URL is always the helper's own
// http://127.0.0.1 address and is passed as one argument, never through a shell.
export function browserCommand(url: string, os: HostOs, env: Record<string, string | undefined>): BrowserCommand {
  switch (os) {
    case 'darwin':
      return { file: 'open', args: [url] };
    case 'win32':
      // Not `start`: it is cmd's built-in and would need a shell; the URL handler opens the
      // default browser with the URL untouched, fragment included.
      return { file: 'rundll32.exe', args: ['url.dll,FileProtocolHandler', url] };
    case 'linux':
      // An SSH login or a server has no browser to show; xdg-open would start a text one or fail.
      if (!env.DISPLAY && !env.WAYLAND_DISPLAY) return { skip: 'no graphical session (neither DISPLAY nor WAYLAND_DISPLAY is set)' };
      return { file: 'xdg-open', args: [url] };
  }
}

export interface OpenBrowserOptions {
  os?: HostOs;
  env?: Record<string, string | undefined>;
  log: (line: string) => void;
}

// Opens the URL and returns at once: the browser outlives the helper, and a failure only costs
// the click (the URL is printed or in the menu), so it is logged, never thrown.
export function openInBrowser(url: string, opts: OpenBrowserOptions): void {
  const command = browserCommand(url, opts.os ?? (process.platform as HostOs), opts.env ?? process.env);
  if ('skip' in command) {
    opts.log(`not opening a browser: ${command.skip}`);
    return;
  }
  const failed = (e: unknown) => opts.log(`could not open a browser (${command.file}: ${(e as Error).message}); open the link yourself`);
  loadExeca()
    .then(({ execa }) => {
      const child = execa(command.file, command.args, { detached: true, stdio: 'ignore', windowsHide: true, cleanup: false, reject: true });
      child.unref();
      child.catch(failed);
    })
    .catch(failed);
}
