import path from 'node:path';
import { desktopExecValue } from './command-text';
import type { LaunchCommand } from './launch-command';

// Linux: an XDG autostart entry (freedesktop Desktop Application Autostart spec). Chosen over a
// systemd user unit because every desktop (GNOME, KDE, Xfce, …) runs it inside the graphical
// session, so the helper starts with DISPLAY/WAYLAND_DISPLAY and the session bus its tray needs;
// systemd sessions run these entries too (systemd-xdg-autostart-generator). A user unit would
// start with default.target, before the desktop, often without those variables, and would
// restart the helper behind the tray's "Quit".
export const DESKTOP_FILE_NAME = 'openutm.desktop';

// $XDG_CONFIG_HOME/autostart, or ~/.config/autostart; the spec ignores a relative XDG_CONFIG_HOME.
export function xdgAutostartFile(home: string, env: Record<string, string | undefined>): string {
  const configHome = env.XDG_CONFIG_HOME && path.posix.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.posix.join(home, '.config');
  return path.posix.join(configHome, 'autostart', DESKTOP_FILE_NAME);
}

// The entry's whole text. X-OpenUTM marks the file as ours, so uninstall never removes a file a
// person wrote under the same name.
export function desktopEntry(command: LaunchCommand): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Version=1.0',
    'Name=OpenUTM',
    'Comment=Runs your OpenUTM virtual machines in the background and shows them in the tray',
    `Exec=${desktopExecValue(command)}`,
    'Terminal=false',
    'NoDisplay=true',
    'X-GNOME-Autostart-enabled=true',
    'X-OpenUTM-Autostart=1',
    '',
  ].join('\n');
}

// Whether an existing file at that path is one OpenUTM wrote.
export function isOurDesktopEntry(text: string): boolean {
  return /^X-OpenUTM-Autostart=1$/m.test(text);
}
