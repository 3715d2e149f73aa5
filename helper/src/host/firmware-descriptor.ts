import { z } from 'zod';
import { Architecture, type FirmwareFiles } from '@openutm/shared';

// A firmware pair plus what orders it among its peers; `enrolledKeys` is what makes Secure Boot
// actually enforce (Windows 11, shim-signed Linux), so enrolled pairs go first.
export interface FirmwareCandidate extends FirmwareFiles {
  enrolledKeys: boolean;
}

const FileRef = z.object({ filename: z.string().min(1), format: z.string().default('raw') });

// The parts of QEMU's firmware descriptor (docs/interop/firmware.json) OpenUTM reads; the rest
// of each file is ignored, so newer fields never make a descriptor unreadable.
export const FirmwareDescriptor = z.object({
  description: z.string().optional(),
  'interface-types': z.array(z.string()),
  mapping: z.object({
    device: z.string(),
    // "split" (code + vars files) is the default; "combined" and "stateless" have no vars template.
    mode: z.string().optional(),
    executable: FileRef.optional(),
    'nvram-template': FileRef.optional(),
  }),
  targets: z.array(z.object({ architecture: z.string(), machines: z.array(z.string()).default([]) })),
  features: z.array(z.string()).default([]),
});
export type FirmwareDescriptor = z.infer<typeof FirmwareDescriptor>;

// The UEFI code + vars pairs a descriptor offers, one per target architecture OpenUTM runs.
// Only raw pflash pairs qualify: the argument builder attaches both as raw pflash drives, and a
// VM needs its own copy of the vars template. Anything else (memory-mapped SEV images, qcow2
// pflash, BIOS, non-split modes) is skipped rather than rejected.
export function firmwareFromDescriptor(json: unknown): FirmwareCandidate[] {
  const parsed = FirmwareDescriptor.safeParse(json);
  if (!parsed.success) return [];
  const d = parsed.data;
  const code = d.mapping.executable;
  const vars = d.mapping['nvram-template'];
  if (!d['interface-types'].includes('uefi') || d.mapping.device !== 'flash') return [];
  if ((d.mapping.mode ?? 'split') !== 'split') return [];
  if (code?.format !== 'raw' || vars?.format !== 'raw') return [];
  const architectures = new Set<Architecture>();
  for (const t of d.targets) {
    const a = Architecture.safeParse(t.architecture);
    if (a.success) architectures.add(a.data);
  }
  return [...architectures].map((architecture) => ({
    architecture,
    code: code.filename,
    vars: vars.filename,
    secureBoot: d.features.includes('secure-boot'),
    enrolledKeys: d.features.includes('enrolled-keys'),
  }));
}
