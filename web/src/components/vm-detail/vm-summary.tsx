'use client';

import type { VmSummary } from '@openutm/shared';
import type { ReactNode } from 'react';
import { describeStatus } from '../library/format';
import { PresetIcon } from '../library/preset-icon';
import { useThumbnail } from '../library/use-thumbnail';
import { cx } from '../cx';
import { vmFacts } from './vm-facts';
import { GuestAgentFacts } from '../guest/guest-agent-facts';

// The top of the VM page, as UTM opens a VM: its screen, what it is doing, the few facts people
// look for, and the main actions (`actions`, placed as given).
export function VmSummaryPanel({ vm, connected, actions }: { vm: VmSummary; connected: boolean; actions: ReactNode }) {
  const { config, status } = vm;
  const thumbnail = useThumbnail(config.id, status.state, connected);
  return (
    <section aria-labelledby="summary-title" className="grid gap-5 rounded-2xl border border-neutral-200 bg-white p-4 sm:p-5 md:grid-cols-[minmax(0,18rem)_minmax(0,1fr)] dark:border-neutral-800 dark:bg-neutral-900">
      <h2 id="summary-title" className="sr-only">
        Summary
      </h2>
      {/* A fixed 16:9 box: the screen arriving or going never moves the facts beside it. On a
          narrow window an empty screen would only push the facts down, so it shows with a picture. */}
      <div className={cx('relative aspect-[16/9] place-items-center overflow-hidden rounded-xl bg-neutral-100 dark:bg-neutral-800', thumbnail === null ? 'hidden md:grid' : 'grid')}>
        <PresetIcon preset={config.preset} className="size-14" />
        {thumbnail !== null && (
          // A data: URL from the helper; next/image would add nothing to it.
          <img src={thumbnail} alt={`Screen of ${config.name}`} data-testid="vm-screen" className={cx('absolute inset-0 size-full bg-black object-contain', status.state === 'paused' && 'opacity-60')} />
        )}
      </div>
      <div className="min-w-0 space-y-4">
        <p className="text-sm text-neutral-700 dark:text-neutral-300" data-testid="summary-state">
          {describeStatus(status)}
        </p>
        <div className="flex flex-wrap gap-2">{actions}</div>
        <dl data-testid="vm-facts" className="grid grid-cols-[auto_minmax(0,1fr)] gap-x-4 gap-y-1.5 text-sm">
          {vmFacts(config).map((f) => (
            <div key={f.label} className="contents">
              <dt className="text-neutral-600 dark:text-neutral-400">{f.label}</dt>
              <dd className="min-w-0 break-words">{f.value}</dd>
            </div>
          ))}
          <GuestAgentFacts agent={status.guestAgent} vmName={config.name} />
        </dl>
      </div>
    </section>
  );
}
