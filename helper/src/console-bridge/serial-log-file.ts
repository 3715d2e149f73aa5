import { closeSync, existsSync, fstatSync, openSync, readFileSync, readSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import type { ConsoleLog } from './console-log';

// The most of QEMU's copy taken over after an absence (its end, the part a person would read).
const MAX_AWAY_BYTES = 16 * 1024 * 1024;

// The serial log users read (the log panel, a crash's last lines, the scrollback of a helper
// that re-attaches): every byte the helper received from the guest, appended in order.
//
// QEMU's own logfile is not good enough for that: when a write to the socket would block, QEMU
// logs the byte as if the write had failed for good, and its serial port then sends that byte
// again and logs it a second time. A guest that prints fast while the helper is busy gets a
// repeated character in one line of a few dozen. QEMU's copy is still kept, because it goes on
// while no helper holds the socket: what it gained while the helper was away is copied over
// when a helper attaches again.
export class SerialLogFile {
  private fd: number | null = null;

  constructor(
    private readonly file: string,
    private readonly qemuCopy: string | null,
    private readonly log: ConsoleLog,
  ) {}

  // Opens the log for appending; returns what QEMU logged while no helper was attached (already
  // appended to the log), or nothing if no helper left a mark when it went.
  open(): Buffer {
    // QEMU creates its copy as it starts. Without it, the VM was started by an older helper whose
    // QEMU writes this very file itself, and writing it too would double every byte.
    if (this.qemuCopy !== null && !existsSync(this.qemuCopy)) {
      this.log(`QEMU writes the serial log ${this.file} itself (a VM started by an older helper); not writing it as well`);
      return Buffer.alloc(0);
    }
    try {
      this.fd = openSync(this.file, 'a', 0o600);
    } catch (e) {
      this.log(`cannot write the serial log ${this.file}: ${(e as Error).message}; the console still works`);
      return Buffer.alloc(0);
    }
    const away = this.whileAway();
    if (away.length > 0) this.append(away);
    return away;
  }

  append(chunk: Uint8Array): void {
    if (this.fd === null) return;
    try {
      writeSync(this.fd, chunk);
    } catch (e) {
      this.log(`cannot write the serial log ${this.file}: ${(e as Error).message}; it stops here`);
      this.close();
    }
  }

  // Closes the log and marks how far QEMU's copy had got, so a helper that attaches later copies
  // only what came after.
  close(): void {
    if (this.fd === null) return;
    closeSync(this.fd);
    this.fd = null;
    if (this.qemuCopy === null) return;
    try {
      writeFileSync(this.mark(), String(statSync(this.qemuCopy).size));
    } catch {
      // The VM's runtime directory is already gone: nobody will attach to it again.
    }
  }

  private whileAway(): Buffer {
    if (this.qemuCopy === null) return Buffer.alloc(0);
    let from: number;
    try {
      from = Number(readFileSync(this.mark(), 'utf8'));
      rmSync(this.mark(), { force: true });
    } catch {
      return Buffer.alloc(0);
    }
    if (!Number.isSafeInteger(from) || from < 0) return Buffer.alloc(0);
    let fd: number | null = null;
    try {
      fd = openSync(this.qemuCopy, 'r');
      const size = fstatSync(fd).size;
      const start = Math.max(from, size - MAX_AWAY_BYTES);
      if (start >= size) return Buffer.alloc(0);
      const buf = Buffer.alloc(size - start);
      return buf.subarray(0, readSync(fd, buf, 0, buf.length, start));
    } catch {
      return Buffer.alloc(0);
    } finally {
      if (fd !== null) closeSync(fd);
    }
  }

  private mark(): string {
    return `${this.qemuCopy}.seen`;
  }
}
