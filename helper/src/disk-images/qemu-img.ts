import { loadExeca } from '../host/load-execa';
import { access, open, unlink } from 'node:fs/promises';
import path from 'node:path';
import { OpenUtmError } from '@openutm/shared';
import { classifyReference, combineBackingPath } from './backing-check';
import { ImageFormat, parseImageInfo, type ImageInfo, type InspectedImage } from './image-info';

// A chain deeper than this is either a loop (a → b → a) or not something OpenUTM made.
export const MAX_BACKING_CHAIN = 16;

// qemu-img info/check print little; convert -p prints a progress line per percent or so.
const MAX_OUTPUT = 16 * 1024 * 1024;

export interface QemuImgRun {
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  // Called with each chunk of stdout as it arrives (progress lines of `convert -p`).
  onStdout?: (chunk: string) => void;
  signal?: AbortSignal;
}

// Runs qemu-img with an argument array (never a shell) and fails with its stderr.
export async function runQemuImg(qemuImg: string, args: readonly string[], options: RunOptions = {}): Promise<QemuImgRun> {
  const { execa } = await loadExeca();
  const child = execa(qemuImg, args, {
    stdin: 'ignore',
    windowsHide: true,
    cancelSignal: options.signal,
    reject: false,
    // Progress (convert -p) streams by; the whole output is still kept for the error message.
    stripFinalNewline: false,
    maxBuffer: MAX_OUTPUT,
  });
  if (options.onStdout) child.stdout.setEncoding('utf8').on('data', options.onStdout);
  const r = await child;
  const subcommand = args[0] ?? '';
  if (!r.failed) return { stdout: r.stdout, stderr: r.stderr };
  if (r.isCanceled) throw new OpenUtmError('QEMU_IMG_FAILED', `qemu-img ${subcommand} was cancelled`);
  if (r.code === 'ENOENT') throw new OpenUtmError('QEMU_NOT_FOUND', `qemu-img was not found at ${qemuImg}; \`openutm doctor\` says how to install QEMU`);
  if (r.exitCode === undefined && r.signal === undefined) {
    throw new OpenUtmError('QEMU_IMG_FAILED', `could not run ${qemuImg}: ${r.originalMessage ?? r.shortMessage ?? 'it did not start'}`);
  }
  const why = r.stderr.trim() || (r.signal ? `killed by ${r.signal}` : `exit code ${r.exitCode ?? '?'}`);
  throw new OpenUtmError('QEMU_IMG_FAILED', `qemu-img ${subcommand} failed: ${why}`, { args: [...args], exitCode: r.exitCode ?? null, stderr: r.stderr });
}

// qemu-img reads a name such as "nbd:host:1" or "json:{…}" as a protocol unless it is an
// absolute path, so every path handed to it must be absolute (the helper builds them that way).
export function assertAbsolute(file: string): void {
  if (!path.isAbsolute(file) || classifyReference(file).kind !== 'path') {
    throw new OpenUtmError('UNSAFE_PATH', `qemu-img needs an absolute file path, got "${file}"`);
  }
}

// The format as OpenUTM knows it; anything else (vmdk, vvfat …) never reaches qemu-img's -f.
export function checkedFormat(format: string): ImageFormat {
  const parsed = ImageFormat.safeParse(format);
  if (!parsed.success) throw new OpenUtmError('BAD_REQUEST', `disk images are qcow2 or raw, not "${format}"`);
  return parsed.data;
}

export interface CreateImageInput {
  qemuImg: string;
  path: string;
  format: ImageFormat;
  sizeMiB: number;
}

// Creates an empty disk image. Refuses to overwrite: the file is reserved with O_EXCL first,
// because qemu-img create itself would silently truncate an existing disk.
export async function createImage(input: CreateImageInput): Promise<void> {
  assertAbsolute(input.path);
  const format = checkedFormat(input.format);
  if (!Number.isInteger(input.sizeMiB) || input.sizeMiB < 1) {
    throw new OpenUtmError('BAD_REQUEST', `a disk size is a whole number of MiB, at least 1 (got ${input.sizeMiB})`);
  }
  try {
    await (await open(input.path, 'wx', 0o600)).close();
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EEXIST') throw new OpenUtmError('CONFLICT', `${input.path} already exists; OpenUTM never overwrites a disk image`);
    throw new OpenUtmError('IO_ERROR', `could not create ${input.path}: ${err.message}`, { errno: err.code });
  }
  try {
    // No -o: option strings are comma-separated and parsed by qemu-img, so nothing the user
    // typed may go there. "--" ends the options so no file name is read as one.
    await runQemuImg(input.qemuImg, ['create', '-q', '-f', format, '--', input.path, `${input.sizeMiB}M`]);
  } catch (e) {
    await unlink(input.path).catch(() => undefined);
    throw e;
  }
}

export interface InspectImageInput {
  qemuImg: string;
  path: string;
  // The format the config says; passed with -f so qemu-img never probes an untrusted image.
  format: ImageFormat;
  // -U: read an image a running QEMU holds locked (sizes may be a moment out of date).
  forceShare?: boolean;
}

// Describes an image and its backing chain. The chain is walked one image at a time instead of
// with --backing-chain, which would make qemu-img open every backing name (nbd:, http:, json:,
// probed formats) before anyone had checked it. A link is followed only when it is a plain
// path to an existing file with a stated qcow2/raw format; assertBackingInside judges the rest.
export async function inspectImage(input: InspectImageInput): Promise<InspectedImage> {
  const top = await infoOf(input.qemuImg, input.path, checkedFormat(input.format), input.forceShare ?? false);
  const backingChain: ImageInfo[] = [];
  let current = top;
  for (;;) {
    const next = await nextLink(current);
    if (next === null) break;
    if (backingChain.length >= MAX_BACKING_CHAIN) {
      throw new OpenUtmError('QEMU_IMG_FAILED', `${input.path} has a backing chain longer than ${MAX_BACKING_CHAIN} images (a loop?); OpenUTM cannot use it`);
    }
    current = await infoOf(input.qemuImg, next.path, next.format, input.forceShare ?? false);
    backingChain.push(current);
  }
  return { ...top, backingChain };
}

async function infoOf(qemuImg: string, file: string, format: ImageFormat, forceShare: boolean): Promise<ImageInfo> {
  assertAbsolute(file);
  const args = ['info', '--output=json', '-f', format, ...(forceShare ? ['-U'] : []), '--', file];
  const { stdout } = await runQemuImg(qemuImg, args);
  return parseImageInfo(stdout);
}

// The backing image to inspect next, or null when the chain ends or must not be opened.
async function nextLink(info: ImageInfo): Promise<{ path: string; format: ImageFormat } | null> {
  if (info.backingFilename === null || info.backingFormat === null) return null;
  const format = ImageFormat.safeParse(info.backingFormat);
  if (!format.success || classifyReference(info.backingFilename).kind !== 'path') return null;
  const next = combineBackingPath(info.filename, info.backingFilename);
  if (!path.isAbsolute(next)) return null;
  try {
    await access(next);
  } catch {
    return null;
  }
  return { path: next, format: format.data };
}

export interface ResizeImageInput {
  qemuImg: string;
  path: string;
  format: ImageFormat;
  sizeBytes: number;
  // Only to undo a grow the guest has not seen yet; every other shrink is refused before here.
  shrink?: boolean;
}

// Sets an image's virtual size. Without `shrink` qemu-img itself refuses to make it smaller.
export async function resizeImage(input: ResizeImageInput): Promise<void> {
  assertAbsolute(input.path);
  const format = checkedFormat(input.format);
  if (!Number.isSafeInteger(input.sizeBytes) || input.sizeBytes < 1) {
    throw new OpenUtmError('BAD_REQUEST', `a disk size is a positive number of bytes (got ${input.sizeBytes})`);
  }
  await runQemuImg(input.qemuImg, ['resize', '-q', '-f', format, ...(input.shrink ? ['--shrink'] : []), '--', input.path, String(input.sizeBytes)]);
}
