import type { Architecture, QemuBinary } from '@openutm/shared';
import { parseAcceleratorHelp, parseMachineHelp, parseQemuVersion, sandboxFromHelp, spiceFromHelp, vdagentFromHelp } from './parse-qemu-help';
import { runProgram, type RunProgram } from './run-program';

export interface ProbeOptions {
  run?: RunProgram;
  // Per question; every question runs at once, so this also bounds the whole probe. Default 5 s.
  timeoutMs?: number;
}

export type ProbeResult = { ok: true; binary: QemuBinary } | { ok: false; path: string; reason: string };

// Asks a QEMU binary what it is and what it can do, without starting a VM: six help-style
// invocations in parallel (about 0.1 s each). Features come from the binary, not its version.
export async function probeQemu(path: string, architecture: Architecture, opts: ProbeOptions = {}): Promise<ProbeResult> {
  const run = opts.run ?? runProgram;
  const timeoutMs = opts.timeoutMs ?? 5_000;
  const ask = async (...args: string[]) => {
    const out = await run(path, args, timeoutMs);
    return { ...out, text: `${out.stdout}\n${out.stderr}` };
  };
  const [version, accel, machine, spice, sandbox, chardev] = await Promise.all([
    ask('--version'),
    ask('-accel', 'help'),
    ask('-machine', 'help'),
    ask('-spice', 'help'),
    ask('-sandbox', 'help'),
    ask('-chardev', 'help'),
  ]);
  const parsedVersion = version.exited ? parseQemuVersion(version.stdout) : null;
  if (parsedVersion === null) {
    const said = firstLine(version.stderr) ?? firstLine(version.stdout);
    const reason = version.failure ?? (said ? `it answered --version with "${said}"` : `--version exited with code ${version.code}`);
    return { ok: false, path, reason };
  }
  return {
    ok: true,
    binary: {
      architecture,
      path,
      version: parsedVersion,
      spice: spice.exited && spiceFromHelp(spice.text),
      sandbox: sandbox.exited && sandboxFromHelp(sandbox.text),
      vdagent: chardev.exited && vdagentFromHelp(chardev.text),
      accelerators: accel.exited ? parseAcceleratorHelp(accel.stdout) : [],
      machines: machine.exited ? parseMachineHelp(machine.stdout) : [],
    },
  };
}

function firstLine(text: string): string | undefined {
  return text.split(/\r?\n/).find((l) => l.trim() !== '')?.trim();
}
