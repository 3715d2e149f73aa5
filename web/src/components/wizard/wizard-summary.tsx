'use client';

import { PRESETS, type Accelerator } from '@openutm/shared';
import { formatMiB } from '../library/format';
import type { HostWarning } from './wizard-checks';
import type { WizardDraft } from './wizard-draft';

// The last step: everything that will be created, and what the host facts warn about.
// `accelerator` is what the helper says the VM will really run under (null: not known yet).
export function WizardSummary({ draft, warnings, accelerator = null }: { draft: WizardDraft; warnings: readonly HostWarning[]; accelerator?: Accelerator | null }) {
  const rows: Array<[string, string]> = [
    ['Name', draft.name],
    ['Operating system', PRESETS[draft.preset].label],
    ['Install disc', draft.isoPath.trim() || 'none (empty CD drive)'],
    ['Architecture', draft.architecture],
    ['Accelerator', accelerator === null ? draft.accelerator : accelerator === 'tcg' ? 'TCG (emulated, slower)' : accelerator.toUpperCase()],
    ['CPUs', draft.cpus],
    ['Memory', formatMiB(Number(draft.memoryMiB))],
    ['Firmware', `${draft.firmware.toUpperCase()}${draft.tpm ? ' · TPM 2.0' : ''}${draft.firmware === 'uefi' && draft.secureBoot ? ' · Secure Boot' : ''}`],
    ['Disk', draft.diskEnabled ? `${draft.diskSizeGiB} GiB ${draft.diskFormat} on ${draft.diskInterface}` : 'none'],
    [
      'Network',
      draft.networkMode === 'none'
        ? 'none'
        : `${draft.nic}${draft.portForwards.length ? ` · ${draft.portForwards.map((f) => `${f.protocol} ${f.hostAddress}:${f.hostPort} → ${f.guestPort}`).join(', ')}` : ''}`,
    ],
    ['Display', draft.displayType === 'none' ? 'none' : `${draft.displayType} · ${draft.displayDevice}`],
  ];
  return (
    <div className="space-y-4">
      <dl data-testid="wizard-summary" className="grid grid-cols-[10rem_1fr] gap-x-4 gap-y-2 text-sm">
        {rows.map(([k, v]) => (
          <div key={k} className="contents">
            <dt className="text-neutral-600 dark:text-neutral-400">{k}</dt>
            <dd className="min-w-0 font-medium break-words">{v}</dd>
          </div>
        ))}
      </dl>
      {warnings.length > 0 && (
        <ul aria-label="Warnings" className="space-y-1 rounded-lg border border-amber-300 bg-amber-50 p-3 text-sm dark:border-amber-800 dark:bg-amber-950">
          {warnings.map((w) => (
            <li key={w.text} className={w.kind === 'broken' ? 'text-red-700 dark:text-red-400' : 'text-amber-800 dark:text-amber-200'}>
              {w.kind === 'broken' ? 'Will not work: ' : 'Slow: '}
              {w.text}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
