import { DBusConnection, DBusError, type DBusMessage } from '../dbus/dbus-connection';
import { variant, type DBusValue } from '../dbus/dbus-marshal';
import type { TrayItem, TrayMenu } from '../tray-menu';
import { DBusMenu, MENU_IFACE, MENU_PATH } from './dbus-menu';
import { trayIconPixmap } from './tray-icon';

// A StatusNotifierItem (freedesktop/KDE spec) spoken over the session bus in plain JS, so the
// single executable needs no native library: the item object, its dbusmenu, and registration
// with the desktop's StatusNotifierWatcher.
const ITEM_PATH = '/StatusNotifierItem';
const ITEM_IFACE = 'org.kde.StatusNotifierItem';
const WATCHER = 'org.kde.StatusNotifierWatcher';
const PROPS_IFACE = 'org.freedesktop.DBus.Properties';

export interface ItemOptions {
  busAddress: string;
  menu: TrayMenu;
  // Told each time a StatusNotifierWatcher took the registration (at start, or when the
  // desktop's tray appears or restarts later).
  onRegistered?: (busName: string) => void;
  // A menu item was chosen, or the icon itself clicked (null: "open").
  onClick: (item: TrayItem | null) => void;
}

// Whether the session bus has a StatusNotifierWatcher (null: the bus cannot be reached, or does
// not answer within timeoutMs: a stuck bus must not hold up the helper's start).
export async function hasStatusNotifierWatcher(busAddress: string, timeoutMs = 3000): Promise<boolean | null> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), timeoutMs);
  });
  try {
    return await Promise.race([askBus(busAddress), late]);
  } finally {
    clearTimeout(timer);
  }
}

async function askBus(busAddress: string): Promise<boolean | null> {
  let conn: DBusConnection | null = null;
  try {
    conn = await DBusConnection.open(busAddress);
    const r = await conn.call({ destination: 'org.freedesktop.DBus', path: '/org/freedesktop/DBus', iface: 'org.freedesktop.DBus', member: 'NameHasOwner', signature: 's', body: [WATCHER] });
    return r.body[0] === true;
  } catch {
    return null;
  } finally {
    conn?.close();
  }
}

export class StatusNotifierItem {
  private menuModel: TrayMenu;
  readonly busName: string;

  private constructor(
    private conn: DBusConnection,
    private readonly dbusMenu: DBusMenu,
    menu: TrayMenu,
  ) {
    this.menuModel = menu;
    this.busName = `org.kde.StatusNotifierItem-${process.pid}-1`;
  }

  static async start(opts: ItemOptions): Promise<StatusNotifierItem> {
    const dbusMenu = new DBusMenu((item) => opts.onClick(item));
    dbusMenu.set(opts.menu);
    let self: StatusNotifierItem | null = null;
    const conn = await DBusConnection.open(opts.busAddress, (msg) => self!.handle(msg, opts));
    self = new StatusNotifierItem(conn, dbusMenu, opts.menu);
    const bus = { destination: 'org.freedesktop.DBus', path: '/org/freedesktop/DBus', iface: 'org.freedesktop.DBus' };
    const [owned] = (await conn.call({ ...bus, member: 'RequestName', signature: 'su', body: [self.busName, 4] })).body;
    if (owned !== 1) throw new Error(`could not own ${self.busName} on the session bus (answer ${String(owned)})`);
    // The desktop's tray may start after the helper (autostart races the panel) or restart;
    // each new watcher gets the registration again.
    await conn.call({ ...bus, member: 'AddMatch', signature: 's', body: [`type='signal',sender='org.freedesktop.DBus',interface='org.freedesktop.DBus',member='NameOwnerChanged',arg0='${WATCHER}'`] });
    const item = self;
    conn.onSignal((msg) => {
      if (msg.member === 'NameOwnerChanged' && msg.body[0] === WATCHER && msg.body[2]) void item.register(opts).catch(() => undefined);
    });
    const [present] = (await conn.call({ ...bus, member: 'NameHasOwner', signature: 's', body: [WATCHER] })).body;
    if (present === true) await self.register(opts);
    return self;
  }

  private async register(opts: ItemOptions): Promise<void> {
    await this.conn.call({ destination: WATCHER, path: '/StatusNotifierWatcher', iface: WATCHER, member: 'RegisterStatusNotifierItem', signature: 's', body: [this.busName] });
    opts.onRegistered?.(this.busName);
  }

  // Shows a new menu/tooltip/status; hosts re-read what the signals say changed.
  update(menu: TrayMenu): void {
    const before = this.menuModel;
    this.menuModel = menu;
    if (this.dbusMenu.set(menu)) this.conn.emit(MENU_PATH, MENU_IFACE, 'LayoutUpdated', 'ui', [this.dbusMenu.revision, 0]);
    if (before.tooltip !== menu.tooltip) this.conn.emit(ITEM_PATH, ITEM_IFACE, 'NewToolTip');
    if (before.status !== menu.status) {
      this.conn.emit(ITEM_PATH, ITEM_IFACE, 'NewStatus', 's', [this.status()]);
      this.conn.emit(ITEM_PATH, ITEM_IFACE, 'NewIcon');
    }
  }

  onClose(listener: () => void): void {
    this.conn.onClose(listener);
  }

  close(): void {
    this.conn.close();
  }

  private status(): string {
    return this.menuModel.status === 'attention' ? 'NeedsAttention' : 'Active';
  }

  private itemProperties(): [string, ReturnType<typeof variant>][] {
    const attention = this.menuModel.status === 'attention';
    const pixmaps = [22, 44].map((s) => trayIconPixmap(s, attention));
    return [
      ['Category', variant('s', 'ApplicationStatus')],
      ['Id', variant('s', 'openutm')],
      ['Title', variant('s', 'OpenUTM')],
      ['Status', variant('s', this.status())],
      ['WindowId', variant('i', 0)],
      ['IconName', variant('s', '')],
      ['IconPixmap', variant('a(iiay)', pixmaps)],
      ['AttentionIconName', variant('s', '')],
      ['OverlayIconName', variant('s', '')],
      ['ToolTip', variant('(sa(iiay)ss)', ['', [], 'OpenUTM', this.menuModel.tooltip])],
      ['ItemIsMenu', variant('b', false)],
      ['Menu', variant('o', MENU_PATH)],
    ];
  }

  private handle(msg: DBusMessage, opts: ItemOptions): { signature: string; body: DBusValue[] } {
    if (msg.iface === 'org.freedesktop.DBus.Introspectable' && msg.member === 'Introspect') return { signature: 's', body: [introspection(msg.path ?? '/')] };
    if (msg.iface === 'org.freedesktop.DBus.Peer' && msg.member === 'Ping') return { signature: '', body: [] };
    if (msg.path === MENU_PATH) {
      if (msg.iface === PROPS_IFACE) return properties(msg, MENU_IFACE, this.dbusMenu.properties());
      return this.dbusMenu.handle(msg);
    }
    if (msg.path === ITEM_PATH) {
      if (msg.iface === PROPS_IFACE) return properties(msg, ITEM_IFACE, this.itemProperties());
      if (msg.member === 'Activate' || msg.member === 'SecondaryActivate') {
        setImmediate(() => opts.onClick(null));
        return { signature: '', body: [] };
      }
      if (msg.member === 'ContextMenu' || msg.member === 'Scroll') return { signature: '', body: [] };
    }
    throw new DBusError('org.freedesktop.DBus.Error.UnknownMethod', `no ${msg.iface ?? ''}.${msg.member ?? ''} at ${msg.path ?? ''}`);
  }
}

function properties(msg: DBusMessage, iface: string, props: [string, ReturnType<typeof variant>][]): { signature: string; body: DBusValue[] } {
  if (msg.member === 'GetAll') return { signature: 'a{sv}', body: [msg.body[0] === iface ? props : []] };
  if (msg.member === 'Get') {
    const found = props.find(([k]) => k === msg.body[1]);
    if (msg.body[0] !== iface || !found) throw new DBusError('org.freedesktop.DBus.Error.UnknownProperty', `no property ${String(msg.body[1])} on ${String(msg.body[0])}`);
    return { signature: 'v', body: [found[1]] };
  }
  throw new DBusError('org.freedesktop.DBus.Error.PropertyReadOnly', 'the tray\'s properties are read-only');
}

// Enough introspection data for tools (gdbus introspect, d-feet) to list what is here.
function introspection(path: string): string {
  const node = (body: string) => `<!DOCTYPE node PUBLIC "-//freedesktop//DTD D-BUS Object Introspection 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/introspect.dtd">\n<node>${body}</node>`;
  if (path === '/') return node('<node name="StatusNotifierItem"/><node name="MenuBar"/>');
  if (path === ITEM_PATH) {
    return node(`<interface name="${ITEM_IFACE}"><method name="Activate"><arg type="i" direction="in"/><arg type="i" direction="in"/></method><method name="SecondaryActivate"><arg type="i" direction="in"/><arg type="i" direction="in"/></method><method name="ContextMenu"><arg type="i" direction="in"/><arg type="i" direction="in"/></method><method name="Scroll"><arg type="i" direction="in"/><arg type="s" direction="in"/></method><property name="Status" type="s" access="read"/><property name="Menu" type="o" access="read"/><signal name="NewToolTip"/><signal name="NewIcon"/><signal name="NewStatus"><arg type="s"/></signal></interface>`);
  }
  if (path === MENU_PATH) {
    return node(`<interface name="${MENU_IFACE}"><method name="GetLayout"><arg type="i" direction="in"/><arg type="i" direction="in"/><arg type="as" direction="in"/><arg type="u" direction="out"/><arg type="(ia{sv}av)" direction="out"/></method><method name="Event"><arg type="i" direction="in"/><arg type="s" direction="in"/><arg type="v" direction="in"/><arg type="u" direction="in"/></method><method name="AboutToShow"><arg type="i" direction="in"/><arg type="b" direction="out"/></method><signal name="LayoutUpdated"><arg type="u"/><arg type="i"/></signal></interface>`);
  }
  return node('');
}
