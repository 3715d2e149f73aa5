import type { HostOs } from '@openutm/shared';

// Whether a tray can be shown, and by what, and if not, why: the reason goes into the helper's
// log line. 'script' is a tray host script the helper runs (PowerShell on Windows, JXA on
// macOS; see script-host/).
export type TrayHost =
  | { kind: 'status-notifier'; busAddress: string }
  | { kind: 'script'; platform: 'win32' | 'darwin' }
  | { kind: 'none'; reason: string };

export interface TrayHostFacts {
  os: HostOs;
  env: Record<string, string | undefined>;
  // Whether org.kde.StatusNotifierWatcher has an owner on the session bus; null when the bus
  // was not asked (no address) or could not be reached.
  watcherPresent: boolean | null;
  // Set to turn the tray off (OPENUTM_TRAY=0, or serve --headless).
  disabled?: boolean;
}

// Windows and macOS have no single variable that says "a desktop session": these are the
// signs of the sessions that have none. OPENUTM_TRAY=1 overrides them when they are wrong.
function scriptHost(os: 'win32' | 'darwin', env: TrayHostFacts['env']): TrayHost {
  if (env.OPENUTM_TRAY === '1') return { kind: 'script', platform: os };
  if (os === 'win32') {
    // Set by Windows for every interactive logon (Console, RDP-Tcp#N); services, and programs
    // started over SSH, run in session 0 without it, where an icon would never be seen.
    if (!env.SESSIONNAME) return { kind: 'none', reason: 'no interactive desktop session (SESSIONNAME is not set: a service or an SSH login; OPENUTM_TRAY=1 tries anyway)' };
    return { kind: 'script', platform: 'win32' };
  }
  // A program started from an SSH login cannot reach the window server of the Mac's desktop;
  // Terminal and launchd (the LaunchAgent) set __CFBundleIdentifier or XPC_SERVICE_NAME.
  const fromSsh = Boolean(env.SSH_CONNECTION || env.SSH_TTY) && !env.__CFBundleIdentifier && !(env.XPC_SERVICE_NAME && env.XPC_SERVICE_NAME !== '0');
  if (fromSsh) return { kind: 'none', reason: 'an SSH login has no menu bar (SSH_CONNECTION is set; OPENUTM_TRAY=1 tries anyway)' };
  return { kind: 'script', platform: 'darwin' };
}

// Decides from facts gathered elsewhere. Linux speaks StatusNotifierItem over D-Bus (KDE,
// Xfce, Cinnamon, Budgie, LXQt; GNOME with the AppIndicator extension); Windows and macOS run
// a script host that ships inside the helper as text (see README.md).
export function detectTrayHost(facts: TrayHostFacts): TrayHost {
  if (facts.disabled) return { kind: 'none', reason: 'the tray is turned off (OPENUTM_TRAY=0)' };
  if (facts.os === 'win32' || facts.os === 'darwin') return scriptHost(facts.os, facts.env);
  if (!facts.env.DISPLAY && !facts.env.WAYLAND_DISPLAY) return { kind: 'none', reason: 'no desktop session (neither DISPLAY nor WAYLAND_DISPLAY is set)' };
  const bus = facts.env.DBUS_SESSION_BUS_ADDRESS;
  if (!bus) return { kind: 'none', reason: 'no session bus (DBUS_SESSION_BUS_ADDRESS is not set)' };
  if (facts.watcherPresent === null) return { kind: 'none', reason: `the session bus at ${bus} could not be reached` };
  if (!facts.watcherPresent) {
    return { kind: 'none', reason: 'the desktop shows no tray icons (no StatusNotifierWatcher on the session bus; on GNOME, install the AppIndicator extension)' };
  }
  return { kind: 'status-notifier', busAddress: bus };
}

// The log line of a helper without a tray.
export function headlessLine(host: Extract<TrayHost, { kind: 'none' }>, url: string): string {
  return `running headless: ${host.reason}; open ${url} in a browser, and use \`openutm pair\` to pair it`;
}
