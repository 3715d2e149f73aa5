import type { BuildContext } from './build-context';
import { BACKEND_ID } from './device-ids';
import { controlChardev } from './endpoints';
import { optionString, type QemuOption } from './option-string';

// The guest's first serial port on a socket for the helper's serial hub, and copied to QEMU's
// serial log, so output is kept even while no helper is attached.
export function serialOptions(ctx: BuildContext): QemuOption[] {
  return [
    ['-chardev', controlChardev(BACKEND_ID.serial, ctx.paths.serial, { logfile: ctx.paths.serialQemuLog, logappend: true })],
    ['-serial', `chardev:${BACKEND_ID.serial}`],
  ];
}

// QMP, the one monitor: the service drives the VM through it (cont after -S, media, shutdown).
export function monitorOptions(ctx: BuildContext): QemuOption[] {
  return [
    ['-chardev', controlChardev(BACKEND_ID.qmp, ctx.paths.qmp)],
    ['-mon', optionString(null, { chardev: BACKEND_ID.qmp, mode: 'control' })],
  ];
}
