import { runProgram, type RunProgram } from './run-program';

// "TPM emulator version 0.7.1, Copyright (c) 2014-2021 IBM Corp." → "0.7.1"; null if unrecognised.
export function parseSwtpmVersion(text: string): string | null {
  return /\bversion\s+(\d+\.\d+(?:\.\d+)?)/i.exec(text)?.[1] ?? null;
}

// `swtpm --version`, for `openutm doctor`: which swtpm the TPM VMs will run.
export async function swtpmVersion(swtpm: string, run: RunProgram = runProgram, timeoutMs = 5_000): Promise<string | null> {
  const out = await run(swtpm, ['--version'], timeoutMs);
  return out.exited ? parseSwtpmVersion(`${out.stdout}\n${out.stderr}`) : null;
}
