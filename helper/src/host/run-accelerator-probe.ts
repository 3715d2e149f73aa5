import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { interpretProbe, PROBE_MARKER, PROBE_TIMEOUT_MS, probeArgs, probeImage, type ProbeFinding, type ProbeTarget } from './accelerator-probe';

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
    const child = execa(binary, probeArgs(target, image), {
      stdin: 'ignore',
      reject: false,
      timeout: timeoutMs,
      killSignal: 'SIGKILL',
      windowsHide: true,
      encoding: 'utf8',
      stripFinalNewline: false,
    });
    let seen = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      seen += chunk.toString('latin1');
      if (seen.includes(PROBE_MARKER)) child.kill('SIGKILL');
    });
    const result = await child;
    const failure = result.failed && !result.timedOut && result.exitCode === undefined && !result.signal ? (result.originalMessage ?? result.shortMessage) : undefined;
    return interpretProbe({
      stdout: `${seen}${typeof result.stdout === 'string' ? result.stdout : ''}`,
      stderr: typeof result.stderr === 'string' ? result.stderr : '',
      exitCode: result.exitCode ?? null,
      signal: result.signal ?? null,
      timedOut: result.timedOut,
      failure,
      timeoutMs,
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
