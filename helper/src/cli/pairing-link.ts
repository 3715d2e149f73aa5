import { OpenUtmError } from '@openutm/shared';
import type { AuthService } from '../auth/auth-service';
import { openInBrowser } from '../host/open-browser';
import { pairLinkUrl } from './helper-address';

// What `openutm serve` does about the first-run link.
export interface ServeLinkFlags {
  // Print a one-time pairing link (a person is watching the terminal, or --pair-link).
  printLink: boolean;
  // Also open it in the default browser (not with --no-open).
  open: boolean;
}

const KNOWN = new Set(['--no-open', '--pair-link', '--background']);

// The link is a credential for five minutes: printed only where a person reads it (a terminal)
// or when asked, never into a log file that a background or login start writes to.
export function serveLinkFlags(args: readonly string[], stdoutIsTty: boolean): ServeLinkFlags {
  const unknown = args.filter((a) => !KNOWN.has(a));
  if (unknown.length > 0) {
    throw new OpenUtmError('BAD_REQUEST', `unknown option ${unknown.join(' ')} for \`openutm serve\`; it takes --no-open, --pair-link and --background`);
  }
  const printLink = stdoutIsTty || args.includes('--pair-link');
  return { printLink, open: printLink && !args.includes('--no-open') };
}

// Mints a one-time code (the same 5-minute, single-use code as `openutm pair`), prints the link
// that pairs a browser with one click and opens it, like Jupyter's tokened link. Returns the link.
export function announcePairingLink(opts: {
  auth: Pick<AuthService, 'createPairingCode'>;
  port: number;
  flags: ServeLinkFlags;
  out: (line: string) => void;
  log: (line: string) => void;
  env: NodeJS.ProcessEnv;
}): string | null {
  if (!opts.flags.printLink) return null;
  const link = pairLinkUrl(opts.port, opts.auth.createPairingCode().code);
  opts.out(`open OpenUTM: ${link}`);
  opts.out('  (click it: it pairs that browser once, within 5 minutes; `openutm pair` makes another)');
  if (opts.flags.open) openInBrowser(link, { env: opts.env, log: opts.log });
  return link;
}
