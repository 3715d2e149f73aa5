'use client';

import { cx } from '../cx';
import { BUTTON, SelectField, TextField } from './fields';
import type { PortForwardDraft } from './port-forward-draft';

const EMPTY_FORWARD: PortForwardDraft = { protocol: 'tcp', hostAddress: '127.0.0.1', hostPort: '', guestPort: '' };

// The rows of host → guest port forwards, used by the wizard and the settings page.
export function PortForwardsEditor({
  forwards,
  onChange,
  errorFor,
  disabled,
}: {
  forwards: readonly PortForwardDraft[];
  onChange: (next: PortForwardDraft[]) => void;
  errorFor: (row: number, field: 'hostAddress' | 'hostPort' | 'guestPort') => string | undefined;
  disabled?: boolean;
}) {
  const set = (i: number, change: Partial<PortForwardDraft>) => onChange(forwards.map((f, j) => (j === i ? { ...f, ...change } : f)));
  return (
    <fieldset disabled={disabled} className="space-y-2 disabled:opacity-60">
      <legend className="text-sm font-medium">Port forwards</legend>
      <p className="text-xs text-neutral-600 dark:text-neutral-400">Reach a service in the guest from this computer, e.g. host port 2222 → guest port 22 for SSH.</p>
      {forwards.map((f, i) => (
        <div key={i} role="group" aria-label={`Port forward ${i + 1}`} className="grid grid-cols-[6rem_1fr_1fr_1fr_auto] items-start gap-2">
          <SelectField label="Protocol" name={`pf-${i}-protocol`} value={f.protocol} onChange={(protocol) => set(i, { protocol })} options={[{ value: 'tcp', label: 'TCP' }, { value: 'udp', label: 'UDP' }]} />
          <TextField label="Host address" name={`pf-${i}-hostAddress`} value={f.hostAddress} onChange={(hostAddress) => set(i, { hostAddress })} error={errorFor(i, 'hostAddress')} />
          <TextField label="Host port" name={`pf-${i}-hostPort`} type="number" min={1} max={65535} value={f.hostPort} onChange={(hostPort) => set(i, { hostPort })} error={errorFor(i, 'hostPort')} />
          <TextField label="Guest port" name={`pf-${i}-guestPort`} type="number" min={1} max={65535} value={f.guestPort} onChange={(guestPort) => set(i, { guestPort })} error={errorFor(i, 'guestPort')} />
          <button type="button" aria-label={`Remove port forward ${i + 1}`} className={cx(BUTTON.secondary, 'mt-6 px-3')} onClick={() => onChange(forwards.filter((_, j) => j !== i))}>
            Remove
          </button>
        </div>
      ))}
      <button type="button" className={BUTTON.secondary} onClick={() => onChange([...forwards, EMPTY_FORWARD])}>
        Add port forward
      </button>
    </fieldset>
  );
}
