'use client';

import { AppLink } from '../nav/app-link';
import { useSearchParams } from 'next/navigation';
import { useEffect, useState } from 'react';
import { vmGet } from '../../helper-client/api';
import { errorMessage } from '../../helper-client/client-errors';
import { useConnection } from '../../stores/connection-store';
import { useVmLibrary } from '../../stores/vm-store';
import { StateBadge } from '../library/state-badge';
import { useVmActionRunner } from '../library/use-vm-action-runner';
import { VmActions, type VmActionsProps } from '../library/vm-actions';
import { DisksPanel } from './disks-panel';
import { LaunchWarnings } from './launch-warnings';
import { DiscFirmwareWarning } from '../disc/disc-firmware-warning';
import { MediaPanel } from './media-panel';
import { SectionNav } from './section-nav';
import { SettingsForm } from './settings-form';
import { VmLogPanel } from './vm-log-panel';
import { SnapshotTimeline } from './snapshot-timeline';
import { VmManage } from './vm-manage';
import { VmSummaryPanel } from './vm-summary';
import { TryChoice } from '../try/try-choice';
import { SuspendControls } from './suspend-controls';

// `/vm?id=<id>`: one VM — a summary (screen, state, facts, actions), then its settings in
// sections with a sidebar: general, system, boot, drives, network, display, the log, clone and
// delete.
export function VmDetail() {
  const id = useSearchParams().get('id') ?? '';
  const { vms, loaded } = useVmLibrary();
  const { phase } = useConnection();
  const connected = phase === 'connected';
  const vm = vms.get(id);
  const [missing, setMissing] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const actions = useVmActionRunner(id, setFailure);

  useEffect(() => {
    if (!connected || id === '' || vm !== undefined) return;
    vmGet(id).catch((e: unknown) => setMissing(errorMessage(e)));
  }, [connected, id, vm]);

  if (id === '') return <p>No VM chosen. <AppLink href="/" className="text-sky-700 underline dark:text-sky-400">Open the library</AppLink>.</p>;
  if (vm === undefined) {
    return (
      <section aria-labelledby="vm-missing" className="space-y-2">
        <h1 id="vm-missing" className="text-2xl font-semibold">
          {missing || (loaded && connected) ? 'VM not found' : 'Loading…'}
        </h1>
        {missing && <p className="text-sm text-neutral-600 dark:text-neutral-400">{missing}</p>}
        <AppLink href="/" className="text-sky-700 underline dark:text-sky-400">
          Back to the library
        </AppLink>
      </section>
    );
  }

  const { config, status } = vm;
  const onAction: VmActionsProps['onAction'] = (item) => {
    setFailure(null);
    actions.onAction(item);
  };

  return (
    <article aria-labelledby="vm-title" className="mx-auto max-w-6xl space-y-6 pb-24" data-vm-id={config.id}>
      <header className="space-y-2">
        <AppLink href="/" className="text-sm text-sky-700 hover:underline dark:text-sky-400">
          ← Library
        </AppLink>
        <div className="flex flex-wrap items-center gap-3">
          <h1 id="vm-title" className="min-w-0 truncate text-2xl font-semibold tracking-tight">
            {config.name}
          </h1>
          <StateBadge state={status.state} />
        </div>
      </header>
      <VmSummaryPanel vm={vm} connected={connected} actions={<VmActions vmName={config.name} state={status.state} forceStopAt={status.forceStopAt} connected={connected} busy={actions.busy} onAction={onAction} layout="page" />} />
      <TryChoice vm={vm} connected={connected} layout="page" />
      <p role="status" className="min-h-5 text-sm text-red-700 empty:hidden dark:text-red-400">
        {failure}
      </p>
      <SuspendControls vm={vm} connected={connected} />
      <LaunchWarnings warnings={status.warnings} />
      <DiscFirmwareWarning config={config} connected={connected} />
      <div className="grid gap-6 lg:grid-cols-[11rem_minmax(0,1fr)] lg:gap-8">
        <SectionNav />
        <div className="min-w-0 space-y-8">
          <SettingsForm
            vm={vm}
            connected={connected}
            drives={
              <div id="drives" className="scroll-mt-20 space-y-6">
                <DisksPanel vm={vm} connected={connected} />
                <MediaPanel vm={vm} connected={connected} />
              </div>
            }
          />
          <div id="snapshots" className="scroll-mt-20">
            <SnapshotTimeline vm={vm} connected={connected} />
          </div>
          <div id="log" className="scroll-mt-20">
            <VmLogPanel vm={vm} connected={connected} />
          </div>
          <div id="manage" className="scroll-mt-20">
            <VmManage vm={vm} connected={connected} />
          </div>
        </div>
      </div>
    </article>
  );
}
