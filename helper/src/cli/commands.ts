import { AUTH_COMMANDS } from './auth-commands';
import { AUTOSTART_COMMAND } from './autostart-command';
import type { Command } from './command';
import { DISK_COMMANDS } from './disk-commands';
import { DOCTOR_COMMAND } from './doctor-command';
import { GUEST_COMMANDS } from './guest-commands';
import { SNAPSHOT_COMMAND } from './snapshot-commands';
import { UNINSTALL_COMMAND } from './uninstall-command';
import { VM_COMMANDS } from './vm-commands';
import { TYPE_COMMAND } from './type-command';
import { START_COMMAND, TRY_COMMAND } from './try-command';

export type { Command, CommandContext } from './command';

// Every CLI command that talks to the helper (all but `serve`, which is the helper, and `version`).
export const COMMANDS: Record<string, Command> = {
  doctor: DOCTOR_COMMAND,
  ...VM_COMMANDS,
  start: START_COMMAND,
  try: TRY_COMMAND,
  ...GUEST_COMMANDS,
  type: TYPE_COMMAND,
  snapshot: SNAPSHOT_COMMAND,
  ...DISK_COMMANDS,
  ...AUTH_COMMANDS,
  autostart: AUTOSTART_COMMAND,
  uninstall: UNINSTALL_COMMAND,
};
