import { parseArgs } from 'node:util';
import { createInterface } from 'node:readline/promises';
import { OpenUtmError, isOpenUtmError } from '@openutm/shared';
import { COMMANDS } from './commands';
import type { CommandContext, HelperApi } from './command';
import { connectToHelper } from './connect-helper';
import { helperPort } from './helper-address';
import { serve } from './serve';
import { serveInBackground } from './serve-background';
import { versionReport } from './version-report';

export interface CliIo {
  out: (s: string) => void;
  err: (s: string) => void;
  // Raw bytes; without it they go through out/err as text.
  write?: (stream: 'out' | 'err', bytes: Buffer) => void;
}

// A connection to the helper as the CLI holds it: calls, then close.
export type HelperSession = HelperApi & { close(): Promise<void> };

export interface CliDeps {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  // How to reach the helper (default: connectToHelper, which starts one when none runs).
  connect?: (err: (line: string) => void) => Promise<HelperSession>;
  // Answers the delete confirmation (default: a prompt on stdin).
  confirm?: (question: string) => Promise<string>;
  // Standard input, read whole (default: process.stdin).
  stdin?: () => Promise<string>;
}

function help(): string {
  const rows = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(9)} ${c.summary}`);
  return [
    'openutm — run virtual machines with QEMU',
    '',
    'usage: openutm <command> [options] [--json]',
    '',
    '  serve     run the helper: owns the VMs and watches over them (other commands start it when needed); --background detaches it; in a terminal it prints (and opens, unless --no-open) a one-time link that pairs a browser; --pair-link prints it anyway',
    ...rows,
    '',
    'Environment: OPENUTM_HOME (library), OPENUTM_PORT (helper port, 47320), OPENUTM_ACCEL (auto|kvm|hvf|whpx|tcg), OPENUTM_QEMU (QEMU binary or dir), OPENUTM_ORIGINS (extra UI origins).',
  ].join('\n');
}

const defaultIo: CliIo = {
  out: (s) => process.stdout.write(s + '\n'),
  err: (s) => process.stderr.write(s + '\n'),
  write: (stream, bytes) => (stream === 'out' ? process.stdout : process.stderr).write(bytes),
};

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks);
}

async function promptLine(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return (await rl.question(question)).trim();
  } finally {
    rl.close();
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

// Runs one CLI invocation and returns its exit code: 0 done, 1 failed, 2 misused. Every command
// but `serve` is a client of the helper's API.
export async function runCli(argv: string[], io: CliIo = defaultIo, deps: CliDeps = {}): Promise<number> {
  const [name, ...rest] = argv;
  // After `--` everything is the guest command's (openutm exec VM -- cmd --json).
  const end = rest.includes('--') ? rest.indexOf('--') : rest.length;
  const json = rest.slice(0, end).includes('--json');
  const args = [...rest.slice(0, end).filter((a) => a !== '--json'), ...rest.slice(end)];
  const env = deps.env ?? process.env;
  let session: HelperSession | null = null;
  try {
    if (!name || name === 'help' || name === '--help' || name === '-h') {
      io.out(help());
      return name ? 0 : 2;
    }
    if (name === '--version' || name === 'version') {
      io.out(versionReport(json));
      return 0;
    }
    if (name === 'serve') return rest.includes('--background') ? await serveInBackground(io, env) : await serve(io, env, args);
    const command = COMMANDS[name];
    if (!command) {
      io.err(`openutm: unknown command "${name}"\n\n${help()}`);
      return 2;
    }
    let parsed;
    try {
      parsed = parseArgs({ args, options: command.options, allowPositionals: true, strict: true });
    } catch (e) {
      io.err(`openutm ${name}: ${(e as Error).message}\nusage: openutm ${name} ${command.usage}`);
      return 2;
    }
    const connect = deps.connect ?? ((err) => connectToHelper({ env, err }));
    const ctx: CommandContext = {
      api: async () => (session ??= await connect(io.err)),
      out: io.out,
      err: io.err,
      write: io.write ?? ((stream, bytes) => bytes.length > 0 && (stream === 'out' ? io.out : io.err)(bytes.toString('utf8').replace(/\n$/, ''))),
      readStdin: () => readAll(process.stdin),
      confirm: deps.confirm ?? promptLine,
      stdin: deps.stdin ?? readStdin,
      port: helperPort(env),
      cwd: deps.cwd ?? process.cwd(),
      env,
    };
    const values = parsed.values as Record<string, string | boolean | string[] | undefined>;
    return (await command.run(ctx, { values, positionals: parsed.positionals, json })) ?? 0;
  } catch (e) {
    const err = isOpenUtmError(e) ? e : new OpenUtmError('INTERNAL', e instanceof Error ? e.message : String(e));
    io.err(json ? JSON.stringify({ error: err.toJSON() }) : `openutm: ${err.message} [${err.code}]`);
    if (!isOpenUtmError(e) && e instanceof Error && e.stack && env.OPENUTM_DEBUG) io.err(e.stack);
    return err.code === 'BAD_REQUEST' ? 2 : 1;
  } finally {
    await (session as HelperSession | null)?.close();
  }
}
