import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { OpenUtmError } from '@openutm/shared';
import { LATEST_SCREENSHOT, ScreenshotTaker, type ScreendumpMonitor } from './screenshot';
import { pngSize, ppmToPng } from './ppm-to-png';

const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function places(): Promise<{ runtimeDir: string; screenshotsDir: string }> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'openutm-shot-'));
  dirs.push(root);
  return { runtimeDir: root, screenshotsDir: path.join(root, 'vm', 'screenshots') };
}

const PPM = Buffer.concat([Buffer.from('P6\n4 2\n255\n'), Buffer.alloc(4 * 2 * 3, 0x80)]);

// A QEMU monitor that writes the screendump file itself, like QEMU does.
function monitor(opts: { png: boolean }): ScreendumpMonitor & { calls: Array<Record<string, unknown> | undefined> } {
  const calls: Array<Record<string, unknown> | undefined> = [];
  return {
    calls,
    async execute<T>(command: string, args?: Record<string, unknown>): Promise<T> {
      assert.equal(command, 'screendump');
      calls.push(args);
      if (args?.format === 'png') {
        if (!opts.png) throw new OpenUtmError('QMP_ERROR', 'Enable PNG support with libpng for screendump');
        await writeFile(String(args.filename), ppmToPng(PPM));
      } else {
        await writeFile(String(args!.filename), PPM);
      }
      return {} as T;
    },
  };
}

test('a QEMU with PNG support writes the PNG; the helper keeps it as latest.png and removes the dump', async () => {
  const where = await places();
  const qmp = monitor({ png: true });
  const png = await new ScreenshotTaker().take(qmp, where);
  assert.deepEqual(pngSize(png), { width: 4, height: 2 });
  assert.deepEqual(await readFile(path.join(where.screenshotsDir, LATEST_SCREENSHOT)), png);
  assert.deepEqual((await readdir(where.runtimeDir)).filter((f) => f.startsWith('screendump')), [], 'the dump file is gone');
  assert.equal(qmp.calls[0]!.format, 'png');
  assert.equal(path.dirname(String(qmp.calls[0]!.filename)), where.runtimeDir, 'QEMU writes only where the helper says');
});

test('a QEMU without PNG support falls back to PPM once, then asks for PPM directly', async () => {
  const where = await places();
  const qmp = monitor({ png: false });
  const taker = new ScreenshotTaker();
  const first = await taker.take(qmp, where);
  const second = await taker.take(qmp, where);
  assert.deepEqual(pngSize(first), { width: 4, height: 2 });
  assert.deepEqual(first, second);
  assert.deepEqual(
    qmp.calls.map((c) => c?.format ?? 'ppm'),
    ['png', 'ppm', 'ppm'],
  );
  assert.deepEqual((await readdir(where.runtimeDir)).filter((f) => f.startsWith('screendump')), []);
});

test('other monitor failures are passed on, not retried as PPM', async () => {
  const where = await places();
  const qmp: ScreendumpMonitor = {
    execute: () => Promise.reject(new OpenUtmError('QMP_CLOSED', 'the monitor closed')),
  };
  await assert.rejects(new ScreenshotTaker().take(qmp, where), { code: 'QMP_CLOSED' });
});
