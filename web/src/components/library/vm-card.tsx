'use client';

import { canPerform, PRESETS, type VmSummary } from '@openutm/shared';
import { AppLink } from '../nav/app-link';
import { useId, useState } from 'react';
import { jobRunning, useVmJob } from '../../stores/job-store';
import { openConsoleEarly, useConsoleWarmup } from '../console/console-preload';
import { cx } from '../cx';
import { SettingsIcon } from '../icons/action-icons';
import { JobProgressBar } from '../jobs/job-progress-bar';
import { describeStatus, formatResources } from './format';
import { PRESET_BACKDROP, PresetIcon } from './preset-icon';
import { StateBadge } from './state-badge';
import { useThumbnail } from './use-thumbnail';
import { useVmActionRunner } from './use-vm-action-runner';
import { CARD_CELL, VmActions, type VmActionsProps } from './vm-actions';
import { EmulatedBadge } from '../disc/emulated-badge';
import { GuestAgentLine } from '../guest/guest-agent-line';
import { TryChoice } from '../try/try-choice';

// One VM in the library: its screen area, name, state, size, and quick actions.
export function VmCard({ vm, connected }: { vm: VmSummary; connected: boolean }) {
  const { config, status } = vm;
  const titleId = useId();
  // The helper's refusal of the last action, shown until the next action or a later state.
  const [failure, setFailure] = useState<{ text: string; at: number } | null>(null);
  const actions = useVmActionRunner(config.id, (text) => setFailure({ text, at: Date.now() }));
  const onAction: VmActionsProps['onAction'] = (item) => {
    setFailure(null);
    actions.onAction(item);
  };
  const thumbnail = useThumbnail(config.id, status.state, connected);
  useConsoleWarmup(config.id, config.display.type, connected && canPerform(status.state, 'console'));
  const job = useVmJob(config.id);
  // Jobs about a VM are clones of it, (kind 'edit') a disk image being copied into it, or
  // (kind 'try-keep') a try's changes being written into its disks.
  const importing = job?.kind === 'edit';
  const keeping = job?.kind === 'try-keep';
  const jobLabel = importing ? `Importing a disk image into ${config.name}` : keeping ? `Keeping the changes of ${config.name}` : `Cloning ${config.name}`;
  // A failed Keep is told by the try's own prompt, which stays with its buttons.
  const jobFailure = job?.state === 'failed' && !keeping ? `Could not ${importing ? 'import the disk image' : 'clone'}: ${job.error?.message ?? 'the helper gave no reason'}` : null;
  const shownFailure = (failure !== null && Date.parse(status.since) <= failure.at ? failure.text : null) ?? jobFailure;

  return (
    <article
      aria-labelledby={titleId}
      data-testid="vm-card"
      data-vm-id={config.id}
      className={cx(
        'flex flex-col overflow-hidden rounded-2xl border border-neutral-200 bg-white shadow-sm dark:border-neutral-800 dark:bg-neutral-900',
        !connected && 'opacity-75',
      )}
    >
      {/* A fixed 16:9 box: the picture arriving or going never moves the rest of the card. */}
      <div className={cx('relative grid aspect-[16/9] place-items-center overflow-hidden bg-gradient-to-br', PRESET_BACKDROP[config.preset])}>
        <PresetIcon preset={config.preset} className="size-14 drop-shadow-sm" />
        {thumbnail !== null && (
          // A data: URL from the helper; next/image would add nothing to it.
          <img
            src={thumbnail}
            alt={`Screen of ${config.name}`}
            data-testid="vm-thumbnail"
            className={cx('absolute inset-0 size-full bg-black object-contain', (status.state === 'paused' || status.state === 'suspended') && 'opacity-60')}
          />
        )}
        {/* Over the bottom of the picture box, so the card keeps its size while a clone runs. */}
        {jobRunning(job) && (
          <JobProgressBar progress={job} label={jobLabel} className="absolute inset-x-0 bottom-0 bg-white/90 px-3 py-1.5 dark:bg-neutral-900/90" />
        )}
      </div>
      <div className="flex flex-1 flex-col gap-1 p-4">
        <div className="flex items-start justify-between gap-3">
          <h2 id={titleId} className="min-w-0 truncate text-base font-semibold" title={config.name}>
            {config.name}
          </h2>
          <StateBadge state={status.state} />
        </div>
        <div className="flex min-h-5 items-center gap-2">
          <p className="min-w-0 truncate text-sm text-neutral-600 dark:text-neutral-400">
            {PRESETS[config.preset].label} · {config.system.architecture}
          </p>
          <EmulatedBadge config={config} connected={connected} />
        </div>
        <p className="truncate text-sm text-neutral-600 dark:text-neutral-400">{formatResources(config)}</p>
        <GuestAgentLine agent={status.guestAgent} vmName={config.name} />
        <p
          role="status"
          data-testid="vm-status-line"
          className={cx(
            'mt-1 truncate text-xs',
            shownFailure !== null || status.state === 'crashed' ? 'text-red-700 dark:text-red-400' : 'text-neutral-600 dark:text-neutral-400',
          )}
          title={shownFailure ?? describeStatus(status)}
        >
          {shownFailure ?? describeStatus(status)}
        </p>
        <TryChoice vm={vm} connected={connected} layout="card" />
        <div className="mt-2 border-t border-neutral-100 pt-2 dark:border-neutral-800">
          <VmActions
            vmName={config.name}
            state={status.state}
            forceStopAt={status.forceStopAt}
            connected={connected}
            busy={actions.busy}
            onAction={onAction}
            onIntent={(a) => a === 'console' && openConsoleEarly(config.id)}
            layout="card"
          >
            <AppLink
              href={`/vm?id=${config.id}`}
              aria-label={`Settings of ${config.name}`}
              className={cx(CARD_CELL, 'min-w-0 rounded-lg font-medium text-sky-700 hover:bg-sky-50 dark:text-sky-400 dark:hover:bg-sky-950')}
            >
              <span className="shrink-0">
                <SettingsIcon />
              </span>
              <span className="truncate">Settings</span>
            </AppLink>
          </VmActions>
        </div>
      </div>
    </article>
  );
}
