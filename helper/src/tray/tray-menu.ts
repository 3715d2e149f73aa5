import type { VmState, VmSummary } from '@openutm/shared';

// What the tray shows, as data: every backend (StatusNotifierItem today, others later) renders
// this and sends the ids of chosen items back. Built from what the helper knows, nothing else.
export type TrayAction = 'open' | 'pair' | 'autostart' | 'quit';

export type TrayItem =
  | { kind: 'action'; id: TrayAction; label: string; enabled: boolean }
  | { kind: 'toggle'; id: TrayAction; label: string; checked: boolean; enabled: boolean }
  | { kind: 'vm'; id: `vm:${string}`; label: string }
  | { kind: 'separator' };

export interface TrayMenu {
  // One line for the icon's tooltip, e.g. "OpenUTM — 2 of 3 VMs running".
  tooltip: string;
  // Attention when a VM crashed, so the icon can say so without opening the menu.
  status: 'active' | 'attention';
  items: TrayItem[];
}

export interface TrayInput {
  vms: readonly Pick<VmSummary, 'config' | 'status'>[];
  // null: this host cannot start the helper at login (the item is shown disabled).
  autostart: boolean | null;
  url: string;
}

// Menus stay short: past this many VMs the rest are summed up in one line.
export const MAX_VMS_SHOWN = 8;

const STATE_WORDS: Record<VmState, string> = {
  stopped: 'stopped',
  starting: 'starting…',
  running: 'running',
  paused: 'paused',
  stopping: 'shutting down…',
  crashed: 'crashed',
  suspending: 'suspending…',
  suspended: 'suspended',
};

const isUp = (s: VmState) => s === 'running' || s === 'paused' || s === 'starting' || s === 'stopping' || s === 'suspending';

// The tray menu for a helper state: VM status lines first (running ones on top), then the
// actions. Labels say what happens; the URL is named so people know where "Open" goes.
export function trayMenu(input: TrayInput): TrayMenu {
  const up = input.vms.filter((v) => isUp(v.status.state)).length;
  const crashed = input.vms.some((v) => v.status.state === 'crashed');
  const sorted = [...input.vms].sort((a, b) => Number(isUp(b.status.state)) - Number(isUp(a.status.state)) || (a.config.name < b.config.name ? -1 : a.config.name > b.config.name ? 1 : 0));
  const vmItems: TrayItem[] = sorted.slice(0, MAX_VMS_SHOWN).map((v) => ({ kind: 'vm', id: `vm:${v.config.id}`, label: `${v.config.name} — ${STATE_WORDS[v.status.state]}` }));
  if (sorted.length > MAX_VMS_SHOWN) vmItems.push({ kind: 'vm', id: 'vm:more', label: `and ${sorted.length - MAX_VMS_SHOWN} more…` });
  if (sorted.length === 0) vmItems.push({ kind: 'vm', id: 'vm:none', label: 'No virtual machines yet' });
  const summary = input.vms.length === 0 ? 'no VMs yet' : `${up} of ${input.vms.length} VM${input.vms.length === 1 ? '' : 's'} running`;
  return {
    tooltip: `OpenUTM — ${summary}${crashed ? ' (one crashed)' : ''}`,
    status: crashed ? 'attention' : 'active',
    items: [
      ...vmItems,
      { kind: 'separator' },
      { kind: 'action', id: 'open', label: `Open OpenUTM (${input.url})`, enabled: true },
      { kind: 'action', id: 'pair', label: 'Pair a device…', enabled: true },
      { kind: 'toggle', id: 'autostart', label: 'Start at login', checked: input.autostart === true, enabled: input.autostart !== null },
      { kind: 'separator' },
      { kind: 'action', id: 'quit', label: up > 0 ? `Quit (${up} VM${up === 1 ? '' : 's'} keep${up === 1 ? 's' : ''} running)` : 'Quit', enabled: true },
    ],
  };
}
