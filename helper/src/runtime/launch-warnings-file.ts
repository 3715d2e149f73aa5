import { readFile, writeFile } from 'node:fs/promises';
import { z } from 'zod';

// What the argument builder warned about when a VM's QEMU was launched, kept beside its pid file
// so that a helper restarted while the VM runs still shows them (they are not in its config,
// and the host may have changed since).
const Warnings = z.array(z.string().max(2_000)).max(50);

export async function writeLaunchWarnings(file: string, warnings: readonly string[]): Promise<void> {
  await writeFile(file, `${JSON.stringify(warnings)}\n`, { mode: 0o600 });
}

// The warnings of the running QEMU; none when the file is missing or not ours to believe.
export async function readLaunchWarnings(file: string): Promise<string[]> {
  try {
    const parsed = Warnings.safeParse(JSON.parse(await readFile(file, 'utf8')));
    return parsed.success ? parsed.data : [];
  } catch {
    return [];
  }
}
