import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { VmCreateRequest } from '@openutm/shared';
import { ApiClient } from '../../../helper/src/api-client/api-client';
import { readLocalCliToken } from '../../../helper/src/auth/secrets-store';
import { defaultRuntimeRoot, runtimePathsFor } from '../../../helper/src/runtime/runtime-paths';
import { kernelGuestRequest, REPO_ROOT, testGuest } from '../../../helper/test/support/test-guest';
import { freePort } from '../../../helper/test/support/free-port';
import { waitForText } from '../../../helper/test/support/wait';

// The helper the UI tests drive: the built bundle (`openutm serve`) as a user runs it, on a free
// port, over a temp library, with guests under TCG. It serves the UI's static export itself.
export const HELPER_BUNDLE = path.join(REPO_ROOT, 'helper/dist/openutm.cjs');

export interface RealHelperOptions {
  // Extra UI origins the helper allows (OPENUTM_ORIGINS), e.g. a second static server.
  origins?: string[];
  // Reuse this library (a restarted helper); default: a fresh temp folder, removed by stop().
  home?: string;
  port?: number;
  // More environment for the helper, e.g. OPENUTM_QEMU_ENDPOINTS=tcp (the Windows form of QEMU's endpoints).
  env?: Record<string, string>;
  // More arguments for `openutm serve`, e.g. --pair-link --no-open (the first-run link).
  args?: string[];
  // Another build's helper bundle (it serves the web/out two folders up from it), e.g. a
  // bench's comparison with the build before a change.
  bundle?: string;
}

export class RealHelper {
  private child: ChildProcess | null = null;
  private client: ApiClient | null = null;
  readonly log: string[] = [];

  private constructor(
    readonly home: string,
    readonly port: number,
    private readonly opts: RealHelperOptions,
  ) {}

  static async start(opts: RealHelperOptions = {}): Promise<RealHelper> {
    const bundle = opts.bundle ?? HELPER_BUNDLE;
    if (!existsSync(bundle)) throw new Error(`no helper bundle at ${bundle}: run \`npm run build\` first`);
    const home = opts.home ?? (await mkdtemp(path.join(os.tmpdir(), 'openutm-web-')));
    const helper = new RealHelper(home, opts.port ?? (await freePort()), opts);
    await helper.launch();
    return helper;
  }

  // The helper's own origin: it serves the UI here, and the UI talks to it here.
  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get env(): NodeJS.ProcessEnv {
    return {
      ...process.env,
      OPENUTM_HOME: this.home,
      OPENUTM_PORT: String(this.port),
      OPENUTM_ACCEL: process.env.OPENUTM_ACCEL ?? 'tcg',
      OPENUTM_ORIGINS: (this.opts.origins ?? []).join(','),
      // No tray: on macOS and Windows runners a desktop session exists and the helper would
      // start osascript or PowerShell, which no UI test looks at (Linux CI has no DISPLAY).
      OPENUTM_TRAY: '0',
      ...this.opts.env,
    };
  }

  private async launch(): Promise<void> {
    const child = spawn(process.execPath, [this.opts.bundle ?? HELPER_BUNDLE, 'serve', ...(this.opts.args ?? [])], { env: this.env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    const lines = (stream: NodeJS.ReadableStream) => createInterface({ input: stream });
    await new Promise<void>((resolve, reject) => {
      const onLine = (line: string) => {
        this.log.push(line);
        if (line.includes('serving http')) resolve();
      };
      lines(child.stdout!).on('line', onLine);
      lines(child.stderr!).on('line', onLine);
      child.once('exit', (code, signal) => reject(new Error(`the helper exited (${code ?? signal}) before serving:\n${this.log.join('\n')}`)));
    });
  }

  // The CLI's client (the library's local token), for setting up what a test needs.
  async api(): Promise<ApiClient> {
    this.client ??= await ApiClient.connect({ url: `ws://127.0.0.1:${this.port}/api`, token: readLocalCliToken(this.home), clientName: 'web tests' });
    return this.client;
  }

  // Runs the real `openutm` CLI against this helper.
  cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
    const r = spawnSync(process.execPath, [this.opts.bundle ?? HELPER_BUNDLE, ...args], { env: this.env, encoding: 'utf8', timeout: 120_000 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  // What `openutm pair --json` prints: a fresh one-time code and the link that opens the UI with it.
  pairing(): { code: string; url: string } {
    const r = this.cli(['pair', '--json']);
    if (r.status !== 0) throw new Error(`openutm pair failed (${r.status}): ${r.stderr}`);
    return JSON.parse(r.stdout) as { code: string; url: string };
  }

  // A VM that boots the test guest from its kernel (~6 s to a shell under TCG). Returns its id.
  async createKernelGuest(name: string, extra: Partial<VmCreateRequest> = {}): Promise<string> {
    const { config } = await (await this.api()).call('vm.create', kernelGuestRequest(name, extra));
    return config.id;
  }

  // Resolves once the VM's serial log shows the test guest's ready marker.
  async waitForGuestShell(id: string, timeoutMs = 180_000): Promise<void> {
    await waitForText(this.serialLog(id), testGuest().marker, timeoutMs).catch(async () => {
      const vm = await (await this.api()).call('vm.get', { id });
      throw new Error(`the guest ${id} did not reach its shell (state ${vm.status.state})`);
    });
  }

  // The guest's serial output as the helper logs it (what a test types reaches the shell here).
  serialLog(id: string): string {
    return runtimePathsFor(defaultRuntimeRoot(this.home), id, 'linux').serialLog;
  }

  // Stops the helper process; its VMs keep running (as they do for a user) unless killVms.
  async stopProcess({ killVms }: { killVms: boolean }): Promise<void> {
    if (killVms && this.child) {
      const api = await this.api().catch(() => null);
      if (api) {
        const vms = await api.call('vm.list', {});
        await Promise.all(vms.filter((v) => v.status.state !== 'stopped').map((v) => api.call('vm.kill', { id: v.config.id }).catch(() => undefined)));
      }
    }
    await this.client?.close().catch(() => undefined);
    this.client = null;
    const child = this.child;
    this.child = null;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
  }

  // A helper restart on the same library and port (its VMs are re-attached).
  async restart(): Promise<void> {
    await this.stopProcess({ killVms: false });
    await this.launch();
  }

  // The helper dies by SIGKILL (no clean-up at all), then a new one starts on the same library
  // and port, as after a crash.
  async killAndRestart(): Promise<void> {
    await this.client?.close().catch(() => undefined);
    this.client = null;
    const child = this.child;
    this.child = null;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    }
    await this.launch();
  }

  // Kills every VM, stops the helper and removes a library this harness made.
  async stop(): Promise<void> {
    await this.stopProcess({ killVms: true });
    // Retries: Windows may hold a just-closed file a moment longer (EBUSY/EPERM).
    if (!this.opts.home) await rm(this.home, { recursive: true, force: true, maxRetries: 5 });
  }
}

export { freePort };
