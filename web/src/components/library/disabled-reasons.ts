import { whyNot, type VmState } from '@openutm/shared';

// What one toolbar button is, for the sentence below the toolbar.
export interface ActionSlot {
  label: string;
  action: Parameters<typeof whyNot>[1];
}

// One visible sentence for every action that cannot be used now, grouped by the reason, e.g.
// "Pause, Restart, Force stop and Console: the VM is stopped — start it first." Disabled buttons
// leave the Tab order, so the reason must be text beside them, not a hover title.
export function disabledReasons(state: VmState, connected: boolean, slots: readonly ActionSlot[]): string | null {
  if (!connected) return slots.length === 0 ? null : 'Not connected to the helper: these actions come back when it is.';
  const byHint = new Map<string, string[]>();
  for (const slot of slots) {
    const why = whyNot(state, slot.action);
    if (why === null) continue;
    // whyNot reads "cannot X a VM that is S: hint"; the hint is the part a person acts on. A
    // starting VM needs no "start it first": only a moment.
    const hint = state === 'starting' ? 'wait until it runs' : why.slice(why.lastIndexOf(': ') + 2);
    byHint.set(hint, [...(byHint.get(hint) ?? []), slot.label]);
  }
  if (byHint.size === 0) return null;
  return [...byHint].map(([hint, labels]) => `${listed(labels)}: the VM is ${state} — ${hint}.`).join(' ');
}

function listed(labels: readonly string[]): string {
  return labels.length <= 1 ? (labels[0] ?? '') : `${labels.slice(0, -1).join(', ')} and ${labels.at(-1)}`;
}
