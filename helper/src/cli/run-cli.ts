import { parseArgs } from 'node:util';
import { createInterface } from 'node:readline/promises';
import { OpenUtmError, PROTOCOL_VERSION, isOpenUtmError } from '@openutm/shared';
import type { VmEngine } from '../vm-service/vm-engine';
import { gatherHostFacts } from '../host/doctor';
import { formatDoctor } from '../host/format-doctor';
import { COMMANDS, type CommandContext } from './commands';
import { openEngineFromEnv } from './engine-from-env';
import { serve } from './serve';
import { HELPER_VERSION } from '../version';

function help(): string {
  const rows = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(8)} ${c.summary}`);
  return [
    'openutm — run virtual machines with QEMU',
    '',
    'usage: openutm <command> [options] [--json]',
    '',
    '  serve    run the helper: owns the VMs and watches over them',
    '  doctor   show what QEMU, accelerators and firmware this computer has',
    ...rows,
    '',
    'Environment: OPENUTM_HOME (library), OPENUTM_ACCEL (auto|kvm|hvf|whpx|tcg), OPENUTM_QEMU (QEMU binary or dir).',
  ].join('\n');
}

// Runs one CLI invocation and returns its exit code: 0 done, 1 failed, 2 misused.
export async function runCli(argv: string[], io = { out: (s: string) => process.stdout.write(s + '\n'), err: (s: string) => process.stderr.write(s + '\n') }): Promise<number> {
  const [name, ...rest] = argv;
  const json = rest.includes('--json');
  const args = rest.filter((a) => a !== '--json');
  let engine = null as VmEngine | null;
  try {
    if (!name || name === 'help' || name === '--help' || name === '-h') {
      io.out(help());
      return name ? 0 : 2;
    }
    if (name === '--version' || name === 'version') {
      const v = { helper: HELPER_VERSION, protocol: PROTOCOL_VERSION };
      io.out(json ? JSON.stringify(v) : `openutm ${v.helper} (protocol ${v.protocol})`);
      return 0;
    }
    if (name === 'doctor') {
      const facts = await gatherHostFacts();
      io.out(json ? JSON.stringify(facts, null, 2) : formatDoctor(facts));
      return facts.problems.some((p) => p.severity === 'error') ? 1 : 0;
    }
    if (name === 'serve') return await serve(io);
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
    const ctx: CommandContext = {
      engine: async () => (engine ??= await openEngineFromEnv()),
      out: io.out,
      confirm: async (q) => {
        const rl = createInterface({ input: process.stdin, output: process.stderr });
        try {
          return (await rl.question(q)).trim();
        } finally {
          rl.close();
        }
      },
    };
    await command.run(ctx, { values: parsed.values as Record<string, string | boolean | string[] | undefined>, positionals: parsed.positionals, json });
    return 0;
  } catch (e) {
    const err = isOpenUtmError(e) ? e : new OpenUtmError('INTERNAL', e instanceof Error ? e.message : String(e));
    io.err(json ? JSON.stringify({ error: err.toJSON() }) : `openutm: ${err.message} [${err.code}]`);
    if (!isOpenUtmError(e) && e instanceof Error && e.stack && process.env.OPENUTM_DEBUG) io.err(e.stack);
    return err.code === 'BAD_REQUEST' ? 2 : 1;
  } finally {
    await engine?.close();
  }
}
