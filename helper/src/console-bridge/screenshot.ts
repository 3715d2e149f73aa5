import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { OpenUtmError, isOpenUtmError } from '@openutm/shared';
import { writeFileAtomic } from '../vm-library/atomic-write';
import { isPng, ppmToPng } from './ppm-to-png';

// The file a VM's latest screenshot is kept in, inside its bundle's screenshots folder; the
// library shows it as the VM's thumbnail.
export const LATEST_SCREENSHOT = 'latest.png';

// The one QMP call screenshots need; QmpClient has it.
export interface ScreendumpMonitor {
  execute<T = unknown>(command: string, args?: Record<string, unknown>): Promise<T>;
}

// Where a screenshot goes on its way: QEMU's dump, then the VM bundle's thumbnail.
export interface ScreenshotPlaces {
  // The VM's private runtime dir: QEMU writes the dump there under a name the helper picks.
  runtimeDir: string;
  // The VM bundle's screenshots folder, for latest.png.
  screenshotsDir: string;
}

// Takes PNG screenshots through QMP screendump. QEMU ≥ 7.1 with libpng writes PNG itself;
// older or libpng-less builds write PPM, converted here. Which one works is learnt once.
export class ScreenshotTaker {
  private pngDumps: boolean | null = null;

  // The VM's screen now, as PNG bytes; also written atomically to <screenshotsDir>/latest.png.
  async take(qmp: ScreendumpMonitor, places: ScreenshotPlaces): Promise<Buffer> {
    const png = await this.dump(qmp, places.runtimeDir);
    await mkdir(places.screenshotsDir, { recursive: true, mode: 0o700 });
    await writeFileAtomic(path.join(places.screenshotsDir, LATEST_SCREENSHOT), png).catch((e: unknown) => {
      // The thumbnail is a convenience; the caller still gets its screenshot.
      process.stderr.write(`openutm: cannot keep the latest screenshot in ${places.screenshotsDir}: ${(e as Error).message}\n`);
    });
    return png;
  }

  private async dump(qmp: ScreendumpMonitor, runtimeDir: string): Promise<Buffer> {
    if (this.pngDumps !== false) {
      try {
        const png = await dumpFile(qmp, runtimeDir, 'png');
        if (!isPng(png)) throw new OpenUtmError('QEMU_FAILED', 'QEMU wrote a screendump that is not a PNG; try again, or report this QEMU build');
        this.pngDumps = true;
        return png;
      } catch (e) {
        // A QEMU without PNG support refuses the format argument; anything else is a real failure.
        if (this.pngDumps === true || !isOpenUtmError(e) || e.code !== 'QMP_ERROR') throw e;
        this.pngDumps = false;
      }
    }
    return ppmToPng(await dumpFile(qmp, runtimeDir, 'ppm'));
  }
}

async function dumpFile(qmp: ScreendumpMonitor, runtimeDir: string, format: 'png' | 'ppm'): Promise<Buffer> {
  const file = path.join(runtimeDir, `screendump-${randomBytes(6).toString('hex')}.${format}`);
  try {
    // PPM is QEMU's default and the only format before 7.1, so it is asked for without the argument.
    await qmp.execute('screendump', format === 'png' ? { filename: file, format: 'png' } : { filename: file });
    return await readFile(file).catch((e: NodeJS.ErrnoException) => {
      throw new OpenUtmError('IO_ERROR', `QEMU did not leave the screendump at ${file} (${e.code ?? e.message}); try again`);
    });
  } finally {
    await rm(file, { force: true });
  }
}
