import assert from 'node:assert/strict';
import { mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { isOpenUtmError } from '@openutm/shared';
import { hostFileName } from './fixtures/file-names';
import { MiB, QEMU_IMG, needsQemuImg } from './fixtures/find-qemu-img';
import { parseImageInfo } from './image-info';
import { createImage, inspectImage, runQemuImg } from './qemu-img';

const qemuImg = QEMU_IMG ?? 'qemu-img';

function hasCode(code: string): (e: unknown) => boolean {
  return (e: unknown) => {
    assert.ok(isOpenUtmError(e), `expected an OpenUtmError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    return true;
  };
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'openutm-img-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// Names that break naive command lines and qemu-img's option and protocol parsing.
const HOSTILE_NAMES = [
  'comma,separated,name',
  'with spaces and  double  spaces',
  `quotes "double" and 'single'`,
  'ünïcødé ディスク 💾',
  '-starts-with-dash',
  'nbd:looks-like-a-protocol',
  'json:{"driver":"null-co"}',
  'dollar $HOME and `backticks` ;|&',
  'file=x,format=raw',
].map((n) => hostFileName(n));

test('createImage makes qcow2 and raw images with hostile names that inspectImage reads back', { skip: needsQemuImg }, async () => {
  await withDir(async (dir) => {
    let size = 1;
    for (const name of HOSTILE_NAMES) {
      for (const format of ['qcow2', 'raw'] as const) {
        const file = path.join(dir, `${name}.${format}`);
        size++;
        await createImage({ qemuImg, path: file, format, sizeMiB: size });
        const info = await inspectImage({ qemuImg, path: file, format });
        assert.equal(info.filename, file);
        assert.equal(info.format, format);
        assert.equal(info.virtualSize, size * MiB, `${format} ${name}`);
        assert.equal(info.backingFilename, null);
        assert.deepEqual(info.backingChain, []);
        if (format === 'raw') assert.equal((await stat(file)).size, size * MiB);
      }
    }
  });
});

test('createImage never overwrites an existing file', { skip: needsQemuImg }, async () => {
  await withDir(async (dir) => {
    const file = path.join(dir, 'disk.qcow2');
    await writeFile(file, 'precious data');
    await assert.rejects(createImage({ qemuImg, path: file, format: 'qcow2', sizeMiB: 8 }), hasCode('CONFLICT'));
    assert.equal(await readFile(file, 'utf8'), 'precious data');
  });
});

test('createImage refuses relative paths, bad sizes and unknown formats', async () => {
  await withDir(async (dir) => {
    await assert.rejects(createImage({ qemuImg, path: 'disk.qcow2', format: 'qcow2', sizeMiB: 8 }), hasCode('UNSAFE_PATH'));
    await assert.rejects(createImage({ qemuImg, path: 'nbd:localhost:10809', format: 'raw', sizeMiB: 8 }), hasCode('UNSAFE_PATH'));
    for (const sizeMiB of [0, -1, 1.5, Number.NaN]) {
      await assert.rejects(createImage({ qemuImg, path: path.join(dir, 'd.raw'), format: 'raw', sizeMiB }), hasCode('BAD_REQUEST'));
    }
    await assert.rejects(createImage({ qemuImg, path: path.join(dir, 'd.vmdk'), format: 'vmdk' as 'raw', sizeMiB: 8 }), hasCode('BAD_REQUEST'));
  });
});

test('a failed qemu-img create removes the file it reserved and reports stderr', { skip: needsQemuImg }, async () => {
  await withDir(async (dir) => {
    const file = path.join(dir, 'huge.qcow2');
    // qcow2 caps a virtual disk far below 2^50 MiB; qemu-img says so on stderr.
    await assert.rejects(createImage({ qemuImg, path: file, format: 'qcow2', sizeMiB: 2 ** 50 }), (e: unknown) => {
      assert.ok(isOpenUtmError(e) && e.code === 'QEMU_IMG_FAILED');
      assert.match(e.message, /qemu-img create failed: .+/);
      return true;
    });
    await assert.rejects(stat(file), { code: 'ENOENT' });
  });
});

test('a raw file holding a qcow2 header is inspected as raw: the format is never probed', { skip: needsQemuImg }, async () => {
  await withDir(async (dir) => {
    const disguised = path.join(dir, 'guest-wrote-this.raw');
    await createImage({ qemuImg, path: path.join(dir, 'x.qcow2'), format: 'qcow2', sizeMiB: 512 });
    await rename(path.join(dir, 'x.qcow2'), disguised);
    assert.equal((await readFile(disguised)).subarray(0, 4).toString('latin1'), 'QFI\xfb');
    const info = await inspectImage({ qemuImg, path: disguised, format: 'raw' });
    assert.equal(info.format, 'raw');
    // raw sizes are whole 512-byte sectors, so the file's ~193 KiB is the disk, not qcow2's 512 MiB.
    assert.equal(info.virtualSize, Math.ceil((await stat(disguised)).size / 512) * 512);
    assert.notEqual(info.virtualSize, 512 * MiB);
    await assert.rejects(inspectImage({ qemuImg, path: path.join(dir, 'missing.qcow2'), format: 'qcow2' }), hasCode('QEMU_IMG_FAILED'));
  });
});

test('inspectImage follows a backing chain link by link with the recorded formats', { skip: needsQemuImg }, async () => {
  await withDir(async (dir) => {
    await createImage({ qemuImg, path: path.join(dir, 'base, 1.raw'), format: 'raw', sizeMiB: 16 });
    await runQemuImg(qemuImg, ['create', '-q', '-f', 'qcow2', '-b', 'base, 1.raw', '-F', 'raw', '--', path.join(dir, 'mid.qcow2')]);
    await runQemuImg(qemuImg, ['create', '-q', '-f', 'qcow2', '-b', 'mid.qcow2', '-F', 'qcow2', '--', path.join(dir, 'top.qcow2')]);
    const info = await inspectImage({ qemuImg, path: path.join(dir, 'top.qcow2'), format: 'qcow2' });
    assert.equal(info.backingFilename, 'mid.qcow2');
    assert.equal(info.backingFormat, 'qcow2');
    assert.deepEqual(
      info.backingChain.map((i) => [path.basename(i.filename), i.format, i.virtualSize]),
      [
        ['mid.qcow2', 'qcow2', 16 * MiB],
        ['base, 1.raw', 'raw', 16 * MiB],
      ],
    );
  });
});

test('inspectImage does not open nbd:, json: or missing backing files (it leaves them to backing-check)', { skip: needsQemuImg }, async () => {
  await withDir(async (dir) => {
    for (const backing of ['nbd:127.0.0.1:1', 'json:{"driver":"file","filename":"/etc/hostname"}', 'http://127.0.0.1:1/x.qcow2', 'not-there.qcow2']) {
      const file = path.join(dir, 'overlay.qcow2');
      await rm(file, { force: true });
      await runQemuImg(qemuImg, ['create', '-q', '-f', 'qcow2', '-u', '-b', backing, '-F', 'raw', '--', file, '1M']);
      const info = await inspectImage({ qemuImg, path: file, format: 'qcow2' });
      assert.equal(info.backingFilename, backing);
      assert.deepEqual(info.backingChain, []);
    }
  });
});

test('parseImageInfo reads the fields the helper needs and rejects anything else', () => {
  const info = parseImageInfo(
    JSON.stringify({
      'virtual-size': 1048576,
      filename: '/l/vms/a/top.qcow2',
      format: 'qcow2',
      'actual-size': 200704,
      'cluster-size': 65536,
      'backing-filename': 'base.qcow2',
      'full-backing-filename': '/l/vms/a/base.qcow2',
      'backing-filename-format': 'qcow2',
      'dirty-flag': false,
      encrypted: true,
      snapshots: [{ id: '1', name: 'before-update', 'vm-state-size': 0 }],
      'format-specific': { type: 'qcow2', data: { compat: '1.1', corrupt: false, 'data-file': 'data.raw' } },
    }),
  );
  assert.deepEqual(info, {
    filename: '/l/vms/a/top.qcow2',
    format: 'qcow2',
    virtualSize: 1048576,
    actualSize: 200704,
    clusterSize: 65536,
    backingFilename: 'base.qcow2',
    fullBackingFilename: '/l/vms/a/base.qcow2',
    backingFormat: 'qcow2',
    dirty: false,
    encrypted: true,
    corrupt: false,
    dataFile: 'data.raw',
    snapshots: 1,
  });
  assert.throws(() => parseImageInfo('qemu-img: oops'), hasCode('QEMU_IMG_FAILED'));
  assert.throws(() => parseImageInfo('{"filename": "x", "format": "raw", "virtual-size": -1}'), hasCode('QEMU_IMG_FAILED'));
});

test('runQemuImg: a missing qemu-img is QEMU_NOT_FOUND, saying how to install it', async () => {
  await assert.rejects(runQemuImg('/nonexistent/qemu-img', ['info', '--', '/x']), (e: unknown) => {
    hasCode('QEMU_NOT_FOUND')(e);
    assert.match((e as Error).message, /openutm doctor/);
    return true;
  });
});

test('runQemuImg: a cancelled run rejects as cancelled', async () => {
  // This Node stands in for a qemu-img that would run for ever (a long convert).
  const controller = new AbortController();
  const run = runQemuImg(process.execPath, ['-e', 'process.stdout.write("(1.00/100%)\\n"); setInterval(() => {}, 1000)'], {
    signal: controller.signal,
    onStdout: () => controller.abort(),
  });
  await assert.rejects(run, (e: unknown) => {
    hasCode('QEMU_IMG_FAILED')(e);
    assert.match((e as Error).message, /was cancelled/);
    return true;
  });
});

test('runQemuImg: a failure carries qemu-img\'s stderr and exit code', { skip: needsQemuImg }, async () => {
  await assert.rejects(runQemuImg(qemuImg, ['info', '-f', 'qcow2', '--', path.join(os.tmpdir(), 'openutm-no-such-image.qcow2')]), (e: unknown) => {
    hasCode('QEMU_IMG_FAILED')(e);
    assert.match((e as Error).message, /^qemu-img info failed: .*No such file/);
    assert.equal((e as { details?: { exitCode?: number } }).details?.exitCode, 1);
    return true;
  });
});
