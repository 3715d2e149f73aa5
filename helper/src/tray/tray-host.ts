import type { HostOs } from '@openutm/shared';

// Whether a tray can be shown, and if not, why: the reason goes into the helper's log line.
export type TrayHost = { kind: 'status-notifier'; busAddress: string } | { kind: 'none'; reason: string };

export interface TrayHostFacts {
  os: HostOs;
  env: Record<string, string | undefined>;
  // Whether org.kde.StatusNotifierWatcher has an owner on the session bus; null when the bus
  // was not asked (no address) or could not be reached.
  watcherPresent: boolean | null;
  // Set to turn the tray off (OPENUTM_TRAY=0, or serve --headless).
  disabled?: boolean;
}

// Decides from facts gathered elsewhere. Linux speaks StatusNotifierItem over D-Bus (KDE,
// Xfce, Cinnamon, Budgie, LXQt; GNOME with the AppIndicator extension). macOS and Windows have
// no backend yet: their trays need native code a single executable cannot load (see README.md).
export function detectTrayHost(facts: TrayHostFacts): TrayHost {
  if (facts.disabled) return { kind: 'none', reason: 'the tray is turned off (OPENUTM_TRAY=0)' };
  if (facts.os !== 'linux') return { kind: 'none', reason: `there is no tray for ${facts.os === 'darwin' ? 'macOS' : 'Windows'} yet` };
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
