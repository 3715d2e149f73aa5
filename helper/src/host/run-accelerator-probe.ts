import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { collectProgram } from './collect-program';
import { interpretProbe, PROBE_MARKER, PROBE_TIMEOUT_MS, probeArgs, probeImage, type ProbeFinding, type ProbeTarget } from './accelerator-probe';

// A probe guest prints a line; QEMU's own complaints are a few more. Anything past this is a
// runaway, ended like one that outlives the time limit.
const PROBE_OUTPUT_LIMIT = 1024 * 1024;

// Default time limit: PROBE_TIMEOUT_MS.
export interface RunProbeOptions {
  timeoutMs?: number;
}

// Boots the probe guest with a QEMU binary and says whether the accelerator ran it. QEMU is
// ended as soon as the marker arrives (the guest then only halts) or at the time limit.
export async function runAcceleratorProbe(binary: string, target: ProbeTarget, opts: RunProbeOptions = {}): Promise<ProbeFinding> {
  const timeoutMs = opts.timeoutMs ?? PROBE_TIMEOUT_MS;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'openutm-probe-'));
  try {
    const image = path.join(dir, 'probe.bin');
    await writeFile(image, probeImage(target.architecture));
    let seen = '';
    const result = await collectProgram(binary, probeArgs(target, image), {
      timeoutMs,
      maxBytes: PROBE_OUTPUT_LIMIT,
      onStdout: (chunk, kill) => {
        seen += chunk.toString('latin1');
        if (seen.includes(PROBE_MARKER)) kill();
      },
    });
    const failure = result.startError ? result.startError.message : undefined;
    return interpretProbe({
      stdout: seen,
      stderr: result.stderr,
      exitCode: result.exitCode,
      signal: result.signal,
      timedOut: result.timedOut,
      failure,
      timeoutMs,
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
