import { z } from 'zod';
import { OpenUtmError } from '@openutm/shared';

// The formats OpenUTM creates and opens; anything else is refused before QEMU sees it.
export const ImageFormat = z.enum(['qcow2', 'raw']);
export type ImageFormat = z.infer<typeof ImageFormat>;

// One image as `qemu-img info --output=json` prints it (QEMU 5 … 9). Unknown keys are kept out;
// only what the helper decides on is read.
const QemuImgInfoJson = z.object({
  filename: z.string(),
  format: z.string(),
  'virtual-size': z.number().int().nonnegative(),
  'actual-size': z.number().int().nonnegative().optional(),
  'cluster-size': z.number().int().positive().optional(),
  'backing-filename': z.string().optional(),
  'full-backing-filename': z.string().optional(),
  'backing-filename-format': z.string().optional(),
  'dirty-flag': z.boolean().optional(),
  encrypted: z.boolean().optional(),
  // Internal snapshots (qcow2); only how many matters here.
  snapshots: z.array(z.unknown()).optional(),
  'format-specific': z
    .object({
      type: z.string(),
      data: z.object({ 'data-file': z.string().optional(), corrupt: z.boolean().optional() }).optional(),
    })
    .optional(),
});

// One image of a chain, in the helper's own names.
export interface ImageInfo {
  // The path qemu-img opened (as passed to it); relative backing names resolve against its folder.
  filename: string;
  format: string;
  virtualSize: number;
  actualSize: number | null;
  clusterSize: number | null;
  // The backing name exactly as stored in the image header; null when the image stands alone.
  backingFilename: string | null;
  // What QEMU would open, as qemu-img resolved it (informational; backing-check resolves itself).
  fullBackingFilename: string | null;
  // null with a backing file means QEMU would probe the backing format.
  backingFormat: string | null;
  dirty: boolean;
  encrypted: boolean;
  corrupt: boolean;
  // A qcow2 external data file (qcow2 -o data_file=…): another file the image makes QEMU open.
  dataFile: string | null;
  // How many internal snapshots the image holds (0 for raw).
  snapshots: number;
}

// An image and, below it, the backing images inspectImage could safely open (top first).
export interface InspectedImage extends ImageInfo {
  backingChain: ImageInfo[];
}

// Parses the JSON of one `qemu-img info --output=json` run. qemu-img is trusted to print JSON,
// but the image it describes is not, so every field is validated.
export function parseImageInfo(stdout: string): ImageInfo {
  let json: unknown;
  try {
    json = JSON.parse(stdout);
  } catch {
    throw new OpenUtmError('QEMU_IMG_FAILED', `qemu-img info printed something that is not JSON: ${stdout.slice(0, 200)}`);
  }
  const parsed = QemuImgInfoJson.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new OpenUtmError('QEMU_IMG_FAILED', `qemu-img info printed unexpected JSON (${issues}); is this qemu-img version supported?`);
  }
  const j = parsed.data;
  return {
    filename: j.filename,
    format: j.format,
    virtualSize: j['virtual-size'],
    actualSize: j['actual-size'] ?? null,
    clusterSize: j['cluster-size'] ?? null,
    backingFilename: j['backing-filename'] ?? null,
    fullBackingFilename: j['full-backing-filename'] ?? null,
    backingFormat: j['backing-filename-format'] ?? null,
    dirty: j['dirty-flag'] ?? false,
    encrypted: j.encrypted ?? false,
    corrupt: j['format-specific']?.data?.corrupt ?? false,
    dataFile: j['format-specific']?.data?.['data-file'] ?? null,
    snapshots: j.snapshots?.length ?? 0,
  };
}
