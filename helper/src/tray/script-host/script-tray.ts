// node:child_process, not execa: a long-lived script host spoken to line by line over its pipes.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import type { TrayItem, TrayMenu } from '../tray-menu';
import { trayIco } from './tray-ico';
import { LineSplitter, encodeHostMessage, menuMessage, parseHostLine, type HelperMessage, type ScriptPlatform } from './tray-protocol';

// How often a host that worked and then died is started again before the helper gives up and
// runs headless. A host that never showed its icon is not retried: whatever stopped it (no
// window server, PowerShell locked down) will stop the next one too.
export const MAX_HOST_RESTARTS = 3;
// What the helper keeps of a host's stderr, for the log line that says why it died.
const STDERR_TAIL = 2000;

export interface HostExit {
  code: number | null;
  signal: string | null;
  // Set when the program could not be started at all (ENOENT, EACCES).
  spawnError?: string;
  stderr: string;
}

export type ExitDecision = { restart: true; log: string } | { restart: false; reason: string };

// What to do when the host process ends while the tray is still wanted.
export function afterHostExit(state: { restarts: number; wasReady: boolean; program: string }, exit: HostExit, max = MAX_HOST_RESTARTS): ExitDecision {
  const lastLine = exit.stderr.trim().split('\n').filter((l) => l.trim()).at(-1)?.trim();
  const how = exit.spawnError
    ? `could not be started (${exit.spawnError})`
    : `stopped (${exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`})${lastLine ? `: ${lastLine}` : ''}`;
  const what = `the tray host ${state.program} ${how}`;
  if (!state.wasReady) return { restart: false, reason: what };
  if (state.restarts >= max) return { restart: false, reason: `${what}, and it was restarted ${max} times already` };
  return { restart: true, log: `tray: ${what}; starting it again (${state.restarts + 1} of ${max})` };
}

export interface ScriptTrayOptions {
  argv: string[];
  platform: ScriptPlatform;
  menu: TrayMenu;
  // An item chosen, or null when the icon itself was clicked.
  onClick: (item: TrayItem | null) => void;
  log: (line: string) => void;
  // Called once when the tray is given up for good; the helper runs on headless.
  onHeadless: (reason: string) => void;
  maxRestarts?: number;
}

// Runs a script tray host and keeps it fed: the icons once, then every menu. The helper never
// depends on it: a host that dies is restarted a bounded number of times, then dropped.
export class ScriptTray {
  private child: ChildProcessWithoutNullStreams | null = null;
  private menu: TrayMenu;
  private restarts = 0;
  private closed = false;
  private readonly program: string;

  constructor(private readonly opts: ScriptTrayOptions) {
    this.menu = opts.menu;
    this.program = opts.argv[0]!.split(/[\\/]/).at(-1)!;
    this.start();
  }

  update(menu: TrayMenu): void {
    this.menu = menu;
    this.send(menuMessage(menu, this.opts.platform));
  }

  // Asks the host to remove its icon and exit; kills it if it has not within two seconds.
  // Resolves when the host process is gone.
  close(): Promise<void> {
    this.closed = true;
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    const gone = new Promise<void>((resolve) => child.once('close', () => resolve()));
    this.send({ type: 'exit' });
    child.stdin.end();
    setTimeout(() => child.exitCode === null && child.signalCode === null && child.kill(), 2000).unref();
    return gone;
  }

  private start(): void {
    const [program, ...args] = this.opts.argv;
    const child = spawn(program!, args, { stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
    this.child = child;
    let wasReady = false;
    let stderr = '';
    let spawnError: string | undefined;
    const lines = new LineSplitter();
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    // A host that died mid-write must not take the helper with it (EPIPE).
    child.stdin.on('error', () => {});
    child.stderr.on('data', (d: string) => (stderr = (stderr + d).slice(-STDERR_TAIL)));
    child.stdout.on('data', (chunk: string) => {
      const { lines: got, errors } = lines.push(chunk);
      for (const e of errors) this.opts.log(`tray: ${e}`);
      for (const line of got) {
        if (this.handle(line)) wasReady = true;
      }
    });
    child.on('error', (e) => (spawnError = e.message));
    child.on('close', (code, signal) => {
      if (this.child === child) this.child = null;
      if (this.closed) return;
      const decision = afterHostExit({ restarts: this.restarts, wasReady, program: this.program }, { code, signal, spawnError, stderr }, this.opts.maxRestarts);
      if (decision.restart) {
        this.restarts++;
        this.opts.log(decision.log);
        this.start();
      } else {
        this.closed = true;
        this.opts.onHeadless(decision.reason);
      }
    });
    this.send({ type: 'icons', active: trayIco(false).toString('base64'), attention: trayIco(true).toString('base64') });
    this.send(menuMessage(this.menu, this.opts.platform));
  }

  // Acts on one host line; returns true when it says the icon is shown.
  private handle(line: string): boolean {
    const ids = new Map(this.menu.items.flatMap((i) => (i.kind === 'separator' ? [] : [[i.id as string, i] as const])));
    const parsed = parseHostLine(line, new Set(ids.keys()));
    if (!parsed.ok) {
      this.opts.log(`tray: ${parsed.error}`);
      return false;
    }
    const m = parsed.message;
    if (m.type === 'ready') {
      this.opts.log(`tray icon shown (${this.program})`);
      return true;
    }
    if (m.type === 'error') this.opts.log(`tray: the tray host reported: ${m.message}`);
    else if (m.type === 'activate') this.opts.onClick(null);
    else this.opts.onClick(ids.get(m.id)!);
    return false;
  }

  private send(msg: HelperMessage): void {
    const child = this.child;
    if (!child || child.stdin.destroyed || !child.stdin.writable) return;
    child.stdin.write(encodeHostMessage(msg));
  }
}
