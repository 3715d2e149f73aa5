import type { ParseArgsConfig } from 'node:util';
import { OpenUtmError } from '@openutm/shared';
import type { ApiClient } from '../api-client/api-client';

// The part of the API client commands use; tests can stand in for it.
export type HelperApi = Pick<ApiClient, 'call' | 'on'>;

// What a command gets to work with: the helper (connected, and started if need be, on first
// use), output, a prompt, and where it runs.
export interface CommandContext {
  api: () => Promise<HelperApi>;
  out: (text: string) => void;
  err: (text: string) => void;
  // Bytes as they are, no newline added (a guest command's output).
  write: (stream: 'out' | 'err', bytes: Buffer) => void;
  // All of the CLI's stdin (exec --stdin).
  readStdin: () => Promise<Buffer>;
  confirm: (question: string) => Promise<string>;
  // All of standard input as text (`openutm type VM -`).
  stdin: () => Promise<string>;
  // The helper's port, for URLs shown to people.
  port: number;
  // Relative paths people type are resolved against this before they go to the helper.
  cwd: string;
  // The environment the CLI runs in (library, port; HOME for commands that write to it).
  env: NodeJS.ProcessEnv;
}

export type Options = NonNullable<ParseArgsConfig['options']>;
export type Values = Record<string, string | boolean | string[] | undefined>;

// One CLI command: what it does, its flags, and how it runs. It returns an exit code when it
// is not simply 0 (doctor returns 1 when the host has errors).
export interface Command {
  summary: string;
  usage: string;
  options: Options;
  run(ctx: CommandContext, args: { values: Values; positionals: string[]; json: boolean }): Promise<number | void>;
}

// A string flag, or undefined.
export function str(values: Values, key: string): string | undefined {
  const v = values[key];
  return typeof v === 'string' ? v : undefined;
}

// A whole-number flag, or undefined; anything else is a usage error.
export function int(values: Values, key: string): number | undefined {
  const v = str(values, key);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new OpenUtmError('BAD_REQUEST', `--${key} takes a whole number, got ${JSON.stringify(v)}`);
  return n;
}

// Prints a result as JSON or as text for people.
export function print(ctx: CommandContext, json: boolean, value: unknown, human: () => string): void {
  ctx.out(json ? JSON.stringify(value, null, 2) : human());
}
