import assert from 'node:assert/strict';
import { mkdir, mkdtemp, open, readFile, readdir, realpath, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { isOpenUtmError } from '@openutm/shared';
import { cloneImage, lastProgress, qcow2References } from './clone-image';
import { MiB, QEMU_IMG, needsQemuImg } from './fixtures/find-qemu-img';
import { createImage, inspectImage, runQemuImg } from './qemu-img';
import { hostFileName } from './fixtures/file-names';

// A source name with a comma and quotes (Windows: single quotes).
const SRC_NAME = hostFileName('src, "a".qcow2');

const qemuImg = QEMU_IMG ?? 'qemu-img';

function hasCode(code: string): (e: unknown) => boolean {
  return (e: unknown) => {
    assert.ok(isOpenUtmError(e), `expected an OpenUtmError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    return true;
  };
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await realpath(await mkdtemp(path.join(os.tmpdir(), 'openutm-clone-')));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// A raw image with a recognisable pattern at a few offsets and holes between them.
async function patternedRaw(file: string, sizeMiB: number): Promise<void> {
  await createImage({ qemuImg, path: file, format: 'raw', sizeMiB });
  const h = await open(file, 'r+');
  try {
    for (const offset of [0, 3 * MiB + 17, (sizeMiB - 1) * MiB]) await h.write(Buffer.from(`openutm@${offset}`), 0, undefined, offset);
  } finally {
    await h.close();
  }
}

// qemu-img compare exits 0 when both images read the same guest-visible content.
async function sameContent(a: string, aFormat: string, b: string, bFormat: string): Promise<void> {
  await runQemuImg(qemuImg, ['compare', '-q', '-f', aFormat, '-F', bFormat, '--', a, b]);
}

test('a qcow2 clone has the same content, stands alone, and reports progress up to 1', { skip: needsQemuImg }, async () => {
  await withDir(async (dir) => {
    await patternedRaw(path.join(dir, 'data.raw'), 8);
    await runQemuImg(qemuImg, ['convert', '-f', 'raw', '-O', 'qcow2', '--', path.join(dir, 'data.raw'), path.join(dir, SRC_NAME)]);
    const progress: number[] = [];
    const target = path.join(dir, 'clone ü.qcow2');
    const method = await cloneImage({ qemuImg, source: path.join(dir, SRC_NAME), target, format: 'qcow2', onProgress: (f) => progress.push(f) });
    assert.ok(method === 'reflink' || method === 'convert', method);
    await sameContent(path.join(dir, SRC_NAME), 'qcow2', target, 'qcow2');
    assert.equal(progress.at(-1), 1);
    assert.ok(progress.every((f, i) => f >= 0 && f <= 1 && (i === 0 || f >= progress[i - 1]!)), progress.join(','));
    assert.deepEqual((await readdir(dir)).filter((n) => n.startsWith('.')), [], 'no temp file is left');
  });
});

test('a raw clone keeps holes: it does not take the full virtual size on disk', { skip: needsQemuImg }, async () => {
  await withDir(async (dir) => {
    await patternedRaw(path.join(dir, 'src.raw'), 64);
    const target = path.join(dir, 'clone.raw');
    await cloneImage({ qemuImg, source: path.join(dir, 'src.raw'), target, format: 'raw' });
    assert.deepEqual(await readFile(target), await readFile(path.join(dir, 'src.raw')));
    if (process.platform !== 'win32') assert.ok((await stat(target)).blocks * 512 < 8 * MiB, 'sparse');
  });
});

test('an overlay is flattened: the clone has the whole content and no backing file', { skip: needsQemuImg }, async () => {
  await withDir(async (dir) => {
    const vm = path.join(dir, 'vms', 'vmabc123');
    const copy = path.join(dir, 'vms', 'vmdef456');
    await mkdir(vm, { recursive: true });
    await mkdir(copy);
    await patternedRaw(path.join(vm, 'base.raw'), 8);
    await runQemuImg(qemuImg, ['create', '-q', '-f', 'qcow2', '-b', 'base.raw', '-F', 'raw', '--', path.join(vm, 'disk.qcow2')]);
    const method = await cloneImage({ qemuImg, source: path.join(vm, 'disk.qcow2'), target: path.join(copy, 'disk.qcow2'), format: 'qcow2', libraryRoot: dir });
    assert.equal(method, 'convert');
    const info = await inspectImage({ qemuImg, path: path.join(copy, 'disk.qcow2'), format: 'qcow2' });
    assert.equal(info.backingFilename, null);
    await sameContent(path.join(vm, 'base.raw'), 'raw', path.join(copy, 'disk.qcow2'), 'qcow2');
  });
});

test('a clone refuses an existing target, and a source whose backing leaves the library', { skip: needsQemuImg }, async () => {
  await withDir(async (dir) => {
    const lib = path.join(dir, 'lib');
    await mkdir(lib);
    await createImage({ qemuImg, path: path.join(lib, 'src.qcow2'), format: 'qcow2', sizeMiB: 8 });
    await writeFile(path.join(lib, 'taken.qcow2'), 'precious');
    await assert.rejects(cloneImage({ qemuImg, source: path.join(lib, 'src.qcow2'), target: path.join(lib, 'taken.qcow2'), format: 'qcow2' }), hasCode('CONFLICT'));
    assert.equal(await readFile(path.join(lib, 'taken.qcow2'), 'utf8'), 'precious');

    await createImage({ qemuImg, path: path.join(dir, 'outside.qcow2'), format: 'qcow2', sizeMiB: 8 });
    await runQemuImg(qemuImg, ['create', '-q', '-f', 'qcow2', '-b', '../outside.qcow2', '-F', 'qcow2', '--', path.join(lib, 'escape.qcow2')]);
    const target = path.join(lib, 'escape-clone.qcow2');
    await assert.rejects(cloneImage({ qemuImg, source: path.join(lib, 'escape.qcow2'), target, format: 'qcow2', libraryRoot: lib }), hasCode('UNSAFE_PATH'));
    await assert.rejects(stat(target), { code: 'ENOENT' });
  });
});

test('cloning an image that is not what its config says fails and leaves nothing behind', { skip: needsQemuImg }, async () => {
  await withDir(async (dir) => {
    await writeFile(path.join(dir, 'not-qcow2.qcow2'), 'this is not a qcow2 image');
    // Without inspection (no qemuImg) the header check refuses it; with qemuImg, qemu-img does.
    await assert.rejects(cloneImage({ source: path.join(dir, 'not-qcow2.qcow2'), target: path.join(dir, 'a.qcow2'), format: 'qcow2' }), hasCode('CONFIG_INVALID'));
    await assert.rejects(cloneImage({ qemuImg, source: path.join(dir, 'not-qcow2.qcow2'), target: path.join(dir, 'b.qcow2'), format: 'qcow2' }), hasCode('QEMU_IMG_FAILED'));
    assert.deepEqual(await readdir(dir), ['not-qcow2.qcow2']);
  });
});

test('without qemu-img a standalone image is copied, one with a backing file is refused', { skip: needsQemuImg }, async () => {
  await withDir(async (dir) => {
    await patternedRaw(path.join(dir, 'src.raw'), 4);
    const method = await cloneImage({ source: path.join(dir, 'src.raw'), target: path.join(dir, 'copy.raw'), format: 'raw' });
    assert.ok(method === 'reflink' || method === 'copy', method);
    assert.deepEqual(await readFile(path.join(dir, 'copy.raw')), await readFile(path.join(dir, 'src.raw')));

    await createImage({ qemuImg, path: path.join(dir, 'plain.qcow2'), format: 'qcow2', sizeMiB: 4 });
    await cloneImage({ source: path.join(dir, 'plain.qcow2'), target: path.join(dir, 'plain-copy.qcow2'), format: 'qcow2' });
    await sameContent(path.join(dir, 'plain.qcow2'), 'qcow2', path.join(dir, 'plain-copy.qcow2'), 'qcow2');

    await runQemuImg(qemuImg, ['create', '-q', '-f', 'qcow2', '-b', 'plain.qcow2', '-F', 'qcow2', '--', path.join(dir, 'overlay.qcow2')]);
    await assert.rejects(cloneImage({ source: path.join(dir, 'overlay.qcow2'), target: path.join(dir, 'o2.qcow2'), format: 'qcow2' }), hasCode('QEMU_NOT_FOUND'));
    await assert.rejects(stat(path.join(dir, 'o2.qcow2')), { code: 'ENOENT' });
  });
});

test('qcow2References reads the backing offset and the external-data-file bit', { skip: needsQemuImg }, async () => {
  await withDir(async (dir) => {
    await createImage({ qemuImg, path: path.join(dir, 'plain.qcow2'), format: 'qcow2', sizeMiB: 4 });
    assert.deepEqual(await qcow2References(path.join(dir, 'plain.qcow2')), { backing: false, dataFile: false });
    await runQemuImg(qemuImg, ['create', '-q', '-f', 'qcow2', '-b', 'plain.qcow2', '-F', 'qcow2', '--', path.join(dir, 'overlay.qcow2')]);
    assert.deepEqual(await qcow2References(path.join(dir, 'overlay.qcow2')), { backing: true, dataFile: false });
    await runQemuImg(qemuImg, ['create', '-q', '-f', 'qcow2', '-o', `data_file=${path.join(dir, 'data.raw')}`, '--', path.join(dir, 'df.qcow2'), '1M']);
    assert.deepEqual(await qcow2References(path.join(dir, 'df.qcow2')), { backing: false, dataFile: true });
  });
});

test('lastProgress reads the last percentage of a qemu-img -p chunk', () => {
  assert.equal(lastProgress('    (0.00/100%)\r    (45.50/100%)\r'), 0.455);
  assert.equal(lastProgress('    (100.00/100%)\r\n'), 1);
  assert.equal(lastProgress('no progress here'), null);
});
