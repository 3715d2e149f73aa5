import { Accelerator } from '@openutm/shared';

// "QEMU emulator version 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)" → "7.2.22"; null if not QEMU.
// Old builds glue the package note on without a space ("2.11.1(Debian …)"), so stop at digits.
export function parseQemuVersion(output: string): string | null {
  const m = /QEMU emulator version (\d+\.\d+(?:\.\d+)?)/.exec(output);
  return m ? m[1]! : null;
}

// `-accel help` lists one accelerator per line after a heading; names OpenUTM does not drive
// (xen, nvmm, qtest) are dropped.
export function parseAcceleratorHelp(output: string): Accelerator[] {
  const found: Accelerator[] = [];
  for (const line of output.split(/\r?\n/)) {
    const parsed = Accelerator.safeParse(line.trim());
    if (parsed.success && !found.includes(parsed.data)) found.push(parsed.data);
  }
  return found;
}

// `-machine help` prints "name   description" rows after "Supported machines are:".
export function parseMachineHelp(output: string): string[] {
  const lines = output.split(/\r?\n/);
  const start = lines.findIndex((l) => /^Supported machines are:/.test(l));
  if (start === -1) return [];
  return lines
    .slice(start + 1)
    .map((l) => /^(\S+)/.exec(l)?.[1])
    .filter((n): n is string => n !== undefined);
}

// `-spice help` prints the option list ("spice options:", "disable-ticketing=…") when SPICE is
// built in (and, where SPICE is a module, loadable); builds without it say "There is no option
// group 'spice'". Asking for the list never starts a VM.
export function spiceFromHelp(output: string): boolean {
  return /spice options:|disable-ticketing=/.test(output) && !/no option group 'spice'/.test(output);
}

// `-sandbox help` has no help text: with seccomp, QEMU rejects "help" as the value of `enable`
// ("Parameter 'enable' expects 'on' or 'off'"); without, it says "-sandbox support is not enabled
// in this QEMU binary" or "There is no option group 'sandbox'". Only the positive answer counts,
// so a binary that failed some other way is not credited with a sandbox.
export function sandboxFromHelp(output: string): boolean {
  if (/not enabled in this QEMU binary|no option group 'sandbox'/.test(output)) return false;
  return /Parameter 'enable'|sandbox options:|enable=<bool/.test(output);
}

// `-chardev help` lists the backend types, one a line, after "Available chardev backend types:".
export function vdagentFromHelp(output: string): boolean {
  return /^\s*qemu-vdagent\s*$/m.test(output);
}
