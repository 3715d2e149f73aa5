import type { Accelerator, Architecture } from '@openutm/shared';

// A /dev/kvm that opens may still not run guests (nested virtualization in a cloud VM rejects
// the host CPU model's MSRs, or the guest hangs silently), so an accelerator is trusted only
// after a probe guest of a few instructions, run by the same QEMU with the CPU model the
// helper would use, has written PROBE_MARKER to its serial port. This file is the pure part:
// the guest image, the command line and the reading of the outcome; run-accelerator-probe.ts
// runs it.

// What the probe guest writes to its serial port once it runs.
export const PROBE_MARKER = 'OK';
// Long enough for QEMU to start on a busy host (it takes ~50 ms idle), short enough that
// `openutm doctor` and the first start stay quick when the guest hangs.
export const PROBE_TIMEOUT_MS = 2_000;
// The firmware image size: QEMU maps a -bios image so that it ends at the reset vector.
const IMAGE_BYTES = 64 * 1024;

// The accelerator to prove and the guest architecture it runs (the host's own).
export interface ProbeTarget {
  accelerator: Exclude<Accelerator, 'tcg'> | 'tcg';
  architecture: Architecture;
}

// What the probe decided, kept in host facts and the cache.
export interface ProbeVerdict {
  ok: boolean;
  // Why it failed, in QEMU's words where it had any; null when it passed.
  reason: string | null;
}

// A verdict plus whether it may be kept for the rest of this boot: a guest that stayed silent may
// only have been slow on a busy host, so a timeout is asked again next time.
export interface ProbeFinding extends ProbeVerdict {
  lasting: boolean;
}

// The CPU model the argument builder picks for a VM whose model is 'default' (cpuOptions):
// the host's own under KVM and HVF, `max` otherwise.
export function probeCpuModel(accelerator: ProbeTarget['accelerator']): string {
  return accelerator === 'kvm' || accelerator === 'hvf' ? 'host' : 'max';
}

// x86 real mode from the reset vector (CS base 0xFFFF0000, IP 0xFFF0): jump to the start of the
// image, write the marker and a newline to COM1 (port 0x3F8), then halt for good.
const X86_CODE = [
  0xba, 0xf8, 0x03, //       mov dx, 0x3f8
  ...[...`${PROBE_MARKER}\n`].flatMap((c) => [0xb0, c.charCodeAt(0), 0xee]), // mov al, c; out dx, al
  0xfa, //                   cli
  0xf4, //                   hlt
  0xeb, 0xfd, //             jmp back to hlt
];
const X86_RESET_JUMP = [0xe9, 0x0d, 0x00]; // jmp 0x0000 (from 0xFFF3: +0x000D wraps to 0)

// aarch64 `virt`: the -bios image is flash at 0x0 where the CPU starts; the PL011 UART's data
// register is at 0x09000000 and needs no set-up to accept bytes.
const ARM64_CODE = [
  0xd2a12000, //             movz x0, #0x0900, lsl #16
  ...[...`${PROBE_MARKER}\n`].flatMap((c) => [0x52800001 | (c.charCodeAt(0) << 5), 0x39000001]), // mov w1, c; strb w1, [x0]
  0xd503207f, //             wfi
  0x17ffffff, //             b back to wfi
];

// The probe guest as a firmware image.
export function probeImage(architecture: Architecture): Buffer {
  if (architecture === 'x86_64') {
    const image = Buffer.alloc(IMAGE_BYTES, 0xf4);
    Buffer.from(X86_CODE).copy(image, 0);
    Buffer.from(X86_RESET_JUMP).copy(image, IMAGE_BYTES - 16);
    return image;
  }
  const image = Buffer.alloc(IMAGE_BYTES);
  ARM64_CODE.forEach((word, i) => image.writeUInt32LE(word >>> 0, i * 4));
  return image;
}

// The probe's command line: only the accelerator, CPU model and machine a VM would get, the
// image as firmware and the serial port on stdout.
export function probeArgs(target: ProbeTarget, imagePath: string): string[] {
  const machine = target.architecture === 'x86_64' ? 'q35' : 'virt';
  const accel = target.accelerator === 'whpx' ? 'whpx,kernel-irqchip=off' : target.accelerator;
  return [
    '-nodefaults',
    '-no-user-config',
    '-display', 'none',
    '-machine', machine,
    '-accel', accel,
    '-cpu', probeCpuModel(target.accelerator),
    '-m', '16',
    '-bios', imagePath,
    '-serial', 'stdio',
    '-monitor', 'none',
  ];
}

// What the runner saw of one probe run, for interpretProbe.
export interface ProbeOutcome {
  stdout: string;
  stderr: string;
  // How QEMU ended; null code and signal when the runner's time limit ended it.
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  // It could not be run at all (ENOENT …).
  failure?: string;
  timeoutMs: number;
}

// Passed when the marker arrived, however QEMU ended (the runner kills it once it has). Else
// the reason names what QEMU said last, or that the guest stayed silent.
export function interpretProbe(outcome: ProbeOutcome): ProbeFinding {
  if (outcome.stdout.includes(PROBE_MARKER)) return { ok: true, reason: null, lasting: true };
  const said = lastLines(outcome.stderr, 3);
  if (outcome.failure) return { ok: false, reason: `QEMU could not run the probe: ${outcome.failure}`, lasting: false };
  if (outcome.timedOut) {
    // Not toLocaleString: number formatting loads ICU, ~7 MiB of resident memory for the helper's life.
    const seconds = `${Number((outcome.timeoutMs / 1000).toFixed(3))} s`;
    return { ok: false, reason: `the probe guest did not report within ${seconds}${said ? `; QEMU said: ${said}` : ''}`, lasting: false };
  }
  const ended = outcome.signal ? `was killed by ${outcome.signal}` : `exited with code ${outcome.exitCode}`;
  return { ok: false, reason: said ? `QEMU ${ended}: ${said}` : `QEMU ${ended} before the probe guest reported`, lasting: true };
}

function lastLines(text: string, n: number): string {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .slice(-n)
    .join(' / ');
}
