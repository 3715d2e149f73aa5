import { variant, type DBusValue } from '../dbus/dbus-marshal';
import { DBusError, type DBusMessage } from '../dbus/dbus-connection';
import type { TrayItem, TrayMenu } from '../tray-menu';

// com.canonical.dbusmenu, the menu protocol StatusNotifierItem hosts read: the TrayMenu model
// laid out as numbered items under root 0. Ids are positions + 1, so they change only with
// the layout, and every change bumps the revision and emits LayoutUpdated.
export const MENU_PATH = '/MenuBar';
export const MENU_IFACE = 'com.canonical.dbusmenu';

type Props = [string, ReturnType<typeof variant>][];

function itemProps(item: TrayItem): Props {
  if (item.kind === 'separator') return [['type', variant('s', 'separator')]];
  const props: Props = [['label', variant('s', item.label.replace(/_/g, '__'))]];
  if (item.kind === 'vm') props.push(['enabled', variant('b', true)]);
  else props.push(['enabled', variant('b', item.enabled)]);
  if (item.kind === 'toggle') props.push(['toggle-type', variant('s', 'checkmark')], ['toggle-state', variant('i', item.checked ? 1 : 0)]);
  return props;
}

export class DBusMenu {
  revision = 1;
  private items: TrayItem[] = [];

  constructor(private readonly onClick: (item: TrayItem) => void) {}

  // Replaces the menu; returns whether anything a host shows changed.
  set(menu: TrayMenu): boolean {
    const same = JSON.stringify(menu.items) === JSON.stringify(this.items);
    this.items = menu.items;
    if (!same) this.revision++;
    return !same;
  }

  private node(id: number): DBusValue {
    if (id === 0) return [0, [['children-display', variant('s', 'submenu')]], this.items.map((_, i) => variant('(ia{sv}av)', this.node(i + 1)))];
    const item = this.items[id - 1];
    if (!item) throw new DBusError('org.freedesktop.DBus.Error.InvalidArgs', `no menu item ${id}`);
    return [id, itemProps(item), []];
  }

  // Answers one method call on com.canonical.dbusmenu.
  handle(msg: DBusMessage): { signature: string; body: DBusValue[] } {
    switch (msg.member) {
      case 'GetLayout': {
        const parent = Number(msg.body[0] ?? 0);
        return { signature: 'u(ia{sv}av)', body: [this.revision, this.node(parent)] };
      }
      case 'GetGroupProperties': {
        const ids = (msg.body[0] as number[]).length ? (msg.body[0] as number[]) : this.items.map((_, i) => i + 1);
        return { signature: 'a(ia{sv})', body: [ids.filter((id) => this.items[id - 1]).map((id) => [id, itemProps(this.items[id - 1]!)])] };
      }
      case 'GetProperty': {
        const [id, name] = msg.body as [number, string];
        const rootProps: Props = [['children-display', variant('s', 'submenu')]];
        const prop = (id === 0 ? rootProps : itemProps(this.items[id - 1] ?? { kind: 'separator' })).find(([k]) => k === name);
        if (!prop) throw new DBusError('org.freedesktop.DBus.Error.InvalidArgs', `menu item ${id} has no property ${name}`);
        return { signature: 'v', body: [prop[1]] };
      }
      case 'Event': {
        const [id, eventId] = msg.body as [number, string];
        if (eventId === 'clicked') this.click(id);
        return { signature: '', body: [] };
      }
      case 'EventGroup': {
        const events = msg.body[0] as [number, string, unknown, number][];
        for (const [id, eventId] of events) if (eventId === 'clicked') this.click(id);
        return { signature: 'ai', body: [[]] };
      }
      case 'AboutToShow':
        return { signature: 'b', body: [false] };
      case 'AboutToShowGroup':
        return { signature: 'aiai', body: [[], []] };
      default:
        throw new DBusError('org.freedesktop.DBus.Error.UnknownMethod', `${MENU_IFACE} has no method ${msg.member}`);
    }
  }

  properties(): Props {
    return [
      ['Version', variant('u', 3)],
      ['TextDirection', variant('s', 'ltr')],
      ['Status', variant('s', 'normal')],
      ['IconThemePath', variant('as', [])],
    ];
  }

  private click(id: number): void {
    const item = this.items[id - 1];
    // After the reply has gone out: Quit closes the connection this reply travels on.
    if (item && item.kind !== 'separator') setImmediate(() => this.onClick(item));
  }
}
