import { createHash } from 'node:crypto';
import type { VmConfig } from '@openutm/shared';
import type { BuildContext } from './build-context';
import { optionString, type QemuOption } from './option-string';

// The VM's SMBIOS UUID, derived from its id (RFC 4122 name-based, version 5) so it never changes:
// Windows activation and cloud-init key on it, and QEMU's default is all zeros for every VM.
export function vmUuid(config: VmConfig): string {
  const namespace = Buffer.from('6f70656e75746d2d766d2d757569640a', 'hex');
  const hash = createHash('sha1').update(namespace).update(config.id).digest().subarray(0, 16);
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

// How QEMU starts: no implicit devices or config files (the command line is the whole machine),
// paused until the service has attached and sends `cont`, and a guest power-off leaves QEMU
// running with a SHUTDOWN event, so the service can tell it from a crash.
export function startOptions(ctx: BuildContext): QemuOption[] {
  return [
    ['-nodefaults'],
    ['-no-user-config'],
    ['-S'],
    ['-no-shutdown'],
    [
      '-name',
      optionString(null, {
        // Named key: `-name` reads an unnamed first value holding '=' as a key of its own.
        guest: ctx.config.name,
        // Shows in top/ps on Linux. Elsewhere QEMU exits with "Change of process name not
        // supported by your OS", so it is left out there.
        process: ctx.host.os === 'linux' ? `openutm-${ctx.config.id}` : undefined,
        // Names QEMU's threads (the vCPUs "CPU 0/TCG" or "CPU 0/KVM", the SPICE worker, I/O) for
        // top -H and the bench's CPU accounting, as libvirt does; Linux only, like the above.
        'debug-threads': ctx.host.os === 'linux' ? true : undefined,
      }),
    ],
    ['-uuid', vmUuid(ctx.config)],
    // Timestamps in the QEMU log make crash reports line up with the helper's log.
    ['-msg', optionString(null, { timestamp: true })],
  ];
}

// Sandbox filters for the seccomp build (Linux). QEMU no longer forks itself (-daemonize): the
// helper detaches it, so spawning and privilege changes (setuid, setsid …) can be denied too.
// Options that make QEMU start programs (-netdev user,smb=; tap script= or helper=) fail under
// spawn=deny: such companions are the helper's to start (as swtpm is).
const SANDBOX = { obsolete: 'deny', elevateprivileges: 'deny', spawn: 'deny', resourcecontrol: 'deny' } as const;

// How QEMU lives next to the helper: in the seccomp sandbox where the build has one, its pid in
// a file for the next helper to re-attach. The helper detaches QEMU itself and sends its stderr
// (messages, -msg timestamps and qemu_log alike, as there is no -D) to the VM's QEMU log.
export function processOptions(ctx: BuildContext): QemuOption[] {
  const options: QemuOption[] = [];
  if (ctx.binary.sandbox && ctx.host.os === 'linux') options.push(['-sandbox', optionString('on', SANDBOX)]);
  // Taken verbatim (no option parsing), so no escaping.
  options.push(['-pidfile', ctx.paths.pidFile]);
  return options;
}
