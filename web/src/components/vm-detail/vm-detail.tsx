'use client';

import { PRESETS } from '@openutm/shared';
import Link from 'next/link';
import { useSearchParams } from 'next/navigation';
import { useEffect, useState } from 'react';
import { vmGet } from '../../helper-client/api';
import { errorMessage } from '../../helper-client/client-errors';
import { useConnection } from '../../stores/connection-store';
import { useVmLibrary } from '../../stores/vm-store';
import { formatResources } from '../library/format';
import { StateBadge } from '../library/state-badge';
import { useVmActionRunner } from '../library/use-vm-action-runner';
import { VmActions, type VmActionsProps } from '../library/vm-actions';
import { DisksPanel } from './disks-panel';
import { LaunchWarnings } from './launch-warnings';
import { DiscFirmwareWarning } from '../disc/disc-firmware-warning';
import { MediaPanel } from './media-panel';
import { SettingsForm } from './settings-form';
import { VmLogPanel } from './vm-log-panel';
import { VmManage } from './vm-manage';

// `/vm?id=<id>`: one VM — its state and actions, disks, removable media, every setting, its
// log, clone and delete.
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

  if (id === '') return <p>No VM chosen. <Link href="/" className="text-sky-700 underline dark:text-sky-400">Open the library</Link>.</p>;
  if (vm === undefined) {
    return (
      <section aria-labelledby="vm-missing" className="space-y-2">
        <h1 id="vm-missing" className="text-2xl font-semibold">
          {missing || (loaded && connected) ? 'VM not found' : 'Loading…'}
        </h1>
        {missing && <p className="text-sm text-neutral-600 dark:text-neutral-400">{missing}</p>}
        <Link href="/" className="text-sky-700 underline dark:text-sky-400">
          Back to the library
        </Link>
      </section>
    );
  }

  const { config, status } = vm;
  const onAction: VmActionsProps['onAction'] = (item) => {
    setFailure(null);
    actions.onAction(item);
  };

  return (
    <article aria-labelledby="vm-title" className="mx-auto max-w-5xl space-y-8" data-vm-id={config.id}>
      <header className="space-y-2">
        <Link href="/" className="text-sm text-sky-700 hover:underline dark:text-sky-400">
          ← Library
        </Link>
        <div className="flex flex-wrap items-center gap-3">
          <h1 id="vm-title" className="min-w-0 truncate text-2xl font-semibold tracking-tight">
            {config.name}
          </h1>
          <StateBadge state={status.state} />
          <div className="ml-auto">
            <VmActions vmName={config.name} state={status.state} connected={connected} busy={actions.busy} onAction={onAction} />
          </div>
        </div>
        <p className="text-sm text-neutral-600 dark:text-neutral-400">
          {PRESETS[config.preset].label} · {config.system.architecture} · {formatResources(config)} · id <span className="font-mono">{config.id}</span>
        </p>
        <p role="status" className="min-h-5 text-sm text-red-700 dark:text-red-400">
          {failure}
        </p>
        <DiscFirmwareWarning config={config} connected={connected} />
      </header>
      <DisksPanel vm={vm} connected={connected} />
      <MediaPanel vm={vm} connected={connected} />
      <SettingsForm vm={vm} connected={connected} />
      <VmLogPanel vm={vm} connected={connected} />
      <VmManage vm={vm} connected={connected} />
      <LaunchWarnings warnings={status.warnings} />
    </article>
  );
}
