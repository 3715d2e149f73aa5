import type { HostOs, VmSummary } from '@openutm/shared';
import { openInBrowser } from '../host/open-browser';
import { detectTrayHost, headlessLine } from './tray-host';
import { trayMenu, type TrayItem, type TrayMenu } from './tray-menu';
import { StatusNotifierItem, hasStatusNotifierWatcher } from './sni/status-notifier-item';
import { ScriptTray } from './script-host/script-tray';
import { windowsTrayArgv } from './script-host/windows-tray-host';
import { macosTrayArgv } from './script-host/macos-tray-host';

// What the tray does, supplied by `openutm serve`.
export interface TrayDeps {
  env: Record<string, string | undefined>;
  os?: HostOs;
  url: string;
  log: (line: string) => void;
  listVms: () => Promise<readonly Pick<VmSummary, 'config' | 'status'>[]>;
  // null when this helper cannot be registered at login (it runs from its sources).
  autostart: { get(): Promise<boolean | null>; set(on: boolean): Promise<void> };
  // A fresh pairing URL (a one-time code in it).
  pairUrl: () => string;
  // What "Open OpenUTM" opens: a fresh one-time pairing link, so the browser it opens is paired
  // (one already paired just opens the library). Default: the plain url.
  appUrl?: () => string;
  openUrl?: (url: string) => void;
  quit: () => void;
}

export interface Tray {
  // Rebuilds the menu from the current VMs and autostart state (call on every VM state change).
  refresh(): void;
  close(): void;
}

// Shows the tray icon when the desktop has a tray host; otherwise logs why the helper runs
// headless and returns null. In a Linux desktop session whose tray has not started yet
// (autostart races the panel) the item waits on the bus and appears when the tray does. A tray
// that fails never stops the helper: it goes headless and the log says why.
export async function startTray(deps: TrayDeps): Promise<Tray | null> {
  const os = deps.os ?? (process.platform as HostOs);
  const bus = deps.env.DBUS_SESSION_BUS_ADDRESS;
  const desktop = os === 'linux' && Boolean(deps.env.DISPLAY || deps.env.WAYLAND_DISPLAY) && Boolean(bus);
  const disabled = deps.env.OPENUTM_TRAY === '0';
  const watcherPresent = desktop && !disabled ? await hasStatusNotifierWatcher(bus!) : null;
  const host = detectTrayHost({ os, env: deps.env, watcherPresent, disabled });
  const waiting = host.kind === 'none' && watcherPresent === false;
  if (host.kind === 'none') {
    deps.log(headlessLine(host, deps.url) + (waiting ? "; the icon appears when the desktop's tray starts" : ''));
    if (!waiting) return null;
  }
  const actions = trayActions(deps, os);
  if (host.kind === 'script') return startScriptTray(deps, host.platform, actions);
  return startStatusNotifierTray(deps, bus!, actions);
}

interface TrayActions {
  // The menu for the helper's state right now.
  menu: () => Promise<TrayMenu>;
  // An item chosen (null: the icon itself); `refresh` redraws after a toggle.
  click: (chosen: TrayItem | null, refresh: () => void) => Promise<void>;
}

// What the items do, the same for every backend.
function trayActions(deps: TrayDeps, os: HostOs): TrayActions {
  const open = deps.openUrl ?? ((url: string) => openInBrowser(url, { os, env: deps.env, log: (line) => deps.log(`tray: ${line}`) }));
  return {
    menu: async () => trayMenu({ vms: await deps.listVms(), autostart: await deps.autostart.get().catch(() => null), url: deps.url }),
    async click(chosen, refresh) {
      if (chosen?.kind === 'separator') return;
      if (!chosen || chosen.kind === 'vm' || chosen.id === 'open') return open(deps.appUrl?.() ?? deps.url);
      if (chosen.id === 'pair') return open(deps.pairUrl());
      if (chosen.id === 'quit') return deps.quit();
      if (chosen.id === 'autostart') {
        await deps.autostart.set(!(await deps.autostart.get())).catch((e: Error) => deps.log(`tray: start at login: ${e.message}`));
        refresh();
      }
    },
  };
}

// Windows and macOS: a script host the helper runs and feeds (script-host/).
async function startScriptTray(deps: TrayDeps, platform: 'win32' | 'darwin', actions: TrayActions): Promise<Tray> {
  let tray: ScriptTray | null = null;
  const refresh = () => {
    if (!tray) return;
    void actions.menu().then((m) => tray?.update(m), (e: Error) => deps.log(`tray: could not refresh the menu: ${e.message}`));
  };
  tray = new ScriptTray({
    argv: platform === 'win32' ? windowsTrayArgv(deps.env) : macosTrayArgv(),
    platform,
    menu: await actions.menu(),
    onClick: (c) => void actions.click(c, refresh),
    log: deps.log,
    onHeadless: (reason) => {
      tray = null;
      deps.log(headlessLine({ kind: 'none', reason }, deps.url));
    },
  });
  return {
    refresh,
    close() {
      void tray?.close();
      tray = null;
    },
  };
}

// Linux: a StatusNotifierItem on the session bus (sni/).
async function startStatusNotifierTray(deps: TrayDeps, busAddress: string, actions: TrayActions): Promise<Tray | null> {
  let item: StatusNotifierItem | null = null;
  let closed = false;
  const refresh = () => {
    if (closed || !item) return;
    void actions.menu().then((m) => item?.update(m), (e: Error) => deps.log(`tray: could not refresh the menu: ${e.message}`));
  };
  try {
    item = await StatusNotifierItem.start({
      busAddress,
      menu: await actions.menu(),
      onClick: (c) => void actions.click(c, refresh),
      onRegistered: (name) => deps.log(`tray icon shown (StatusNotifierItem ${name} registered with the desktop's tray)`),
    });
  } catch (e) {
    deps.log(headlessLine({ kind: 'none', reason: `the tray icon could not be shown (${(e as Error).message})` }, deps.url));
    return null;
  }
  item.onClose(() => {
    if (!closed) deps.log('tray: the session bus went away; running headless from now on');
    item = null;
  });
  return {
    refresh,
    close() {
      closed = true;
      item?.close();
    },
  };
}
