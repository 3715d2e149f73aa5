'use client';

import { restoreWhyNot, type SnapshotInfo, type SnapshotList, type VmSummary } from '@openutm/shared';
import { useRouter } from 'next/navigation';
import { useCallback, useEffect, useRef, useState } from 'react';
import { errorMessage } from '../../helper-client/client-errors';
import { newJobId } from '../../helper-client/settings-api';
import { convertDisks, snapshotClone, snapshotDelete, snapshotList, snapshotRestore } from '../../helper-client/snapshots-api';
import { jobRunning, useVmJob } from '../../stores/job-store';
import { JobProgressBar } from '../jobs/job-progress-bar';
import { ConfirmDialog } from '../form/confirm-dialog';
import { FailureAlert, useAction } from '../form/use-action';
import { BUTTON } from '../form/fields';
import { TakeSnapshotDialog } from './take-snapshot-dialog';
import { lossSentence, snapshotSize } from './snapshot-texts';

type Pending = { kind: 'restore' | 'delete'; snapshot: SnapshotInfo } | null;

// The VM's snapshots in order, oldest first, with the screen each kept, the point the current
// state grew from marked "Now", and one click to restore (after a confirmation that says what is lost).
export function SnapshotTimeline({ vm, connected }: { vm: VmSummary; connected: boolean }) {
  const router = useRouter();
  const { config, status } = vm;
  const [list, setList] = useState<SnapshotList | null>(null);
  const { busy, failure, setFailure, run } = useAction();
  const [pending, setPending] = useState<Pending>(null);
  const takeRef = useRef<HTMLDialogElement>(null);
  const confirmRef = useRef<HTMLDialogElement>(null);
  const job = useVmJob(config.id, 'snapshot');
  const working = jobRunning(job);

  // Lists asked for at once (a job's end, then the request's own return) may answer out of order,
  // and one read before a restore recorded its snapshot as current would put "Now" back where it
  // was: only the answer to the latest asking is shown.
  const asked = useRef(0);
  const refresh = useCallback(() => {
    if (!connected) return;
    const mine = ++asked.current;
    snapshotList(config.id).then(
      (l) => mine === asked.current && setList(l),
      (e: unknown) => mine === asked.current && setFailure(`Could not list the snapshots: ${errorMessage(e)}`),
    );
  }, [connected, config.id, setFailure]);
  // Again whenever the VM's state or settings change, and when a snapshot job (from anywhere) ends.
  useEffect(refresh, [refresh, status.state, config.updatedAt, job?.state]);

  async function act(work: () => Promise<unknown>, what: string) {
    await run(what, work);
    refresh();
  }


  function confirmPending() {
    if (!pending) return;
    const { kind, snapshot } = pending;
    confirmRef.current?.close();
    if (kind === 'restore') void act(() => snapshotRestore(config.id, snapshot.name, newJobId()), `restore "${snapshot.name}"`);
    else void act(() => snapshotDelete(config.id, snapshot.name, newJobId()), `delete "${snapshot.name}"`);
  }

  const blocker = list?.blocker ?? null;
  const takeWhy = !connected ? 'not connected to the helper' : blocker ? blocker.reason : busy || working ? 'a snapshot operation is under way' : null;
  const snapshots = list?.snapshots ?? [];
  const currentName = snapshots.find((s) => s.tag === list?.current)?.name ?? null;

  return (
    <section aria-labelledby="snapshots-title" className="space-y-3" data-testid="snapshot-timeline">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 id="snapshots-title" className="text-lg font-semibold">
          Snapshots
        </h2>
        <button type="button" className={BUTTON.secondary} aria-disabled={takeWhy !== null} title={takeWhy ?? 'Keep the VM as it is now, to come back to later'} onClick={() => takeWhy === null && takeRef.current?.showModal()}>
          Take snapshot…
        </button>
      </div>
      {blocker && (
        <div className="rounded-lg border border-amber-300 bg-amber-50 p-3 text-sm dark:border-amber-800 dark:bg-amber-950" data-testid="snapshot-blocker">
          <p>Snapshots are not possible now: {blocker.reason}.</p>
          {blocker.fix && <p className="text-neutral-700 dark:text-neutral-300">Way out: {blocker.fix.text}.</p>}
          {blocker.fix?.kind === 'convert-disks' && (
            <button type="button" className={`${BUTTON.secondary} mt-2`} aria-disabled={status.state !== 'stopped' && status.state !== 'crashed'} title={status.state === 'stopped' || status.state === 'crashed' ? 'Convert to qcow2' : 'shut the VM down first'} onClick={() => (status.state === 'stopped' || status.state === 'crashed') && void act(() => convertDisks(config.id, newJobId()), 'convert the disks')}>
              Convert to qcow2
            </button>
          )}
        </div>
      )}
      <div role="status" className="min-h-5" data-testid="snapshot-progress">
        {working && <JobProgressBar progress={job} label="Snapshot" />}
      </div>
      <FailureAlert failure={failure} />
      {list !== null && snapshots.length === 0 && <p className="text-sm text-neutral-600 dark:text-neutral-400">No snapshots yet.</p>}
      <ol aria-label="Snapshot timeline" className="space-y-2">
        {snapshots.map((s) => {
          const restoreWhy = !connected ? 'not connected to the helper' : busy || working ? 'a snapshot operation is under way' : restoreWhyNot(s, status.state);
          return [
            <li key={s.tag} data-testid="snapshot-item" data-snapshot={s.name} className="flex flex-wrap items-center gap-3 rounded-xl border border-neutral-200 bg-white p-3 dark:border-neutral-800 dark:bg-neutral-900">
              {s.thumbnail ? (
                <img src={`data:image/png;base64,${s.thumbnail}`} alt={`The screen when "${s.name}" was taken`} data-testid="snapshot-thumbnail" className="h-16 w-28 shrink-0 rounded-md bg-black object-contain" />
              ) : (
                <div className="flex h-16 w-28 shrink-0 items-center justify-center rounded-md bg-neutral-100 text-xs text-neutral-500 dark:bg-neutral-800">Shut down</div>
              )}
              <div className="min-w-0 flex-1">
                <p className="truncate font-medium">{s.name}</p>
                <p className="text-xs text-neutral-600 dark:text-neutral-400">
                  <time dateTime={s.createdAt}>{new Date(s.createdAt).toLocaleString()}</time> · {s.memory ? 'memory and disks' : 'disks only'} · {snapshotSize(s)}
                </p>
                {s.notes !== '' && <p className="line-clamp-2 whitespace-pre-line text-sm">{s.notes}</p>}
              </div>
              <div className="flex flex-wrap gap-2">
                <button type="button" className={BUTTON.primary} aria-disabled={restoreWhy !== null} title={restoreWhy ?? `Go back to "${s.name}"`} onClick={() => {
                  if (restoreWhy !== null) return;
                  setPending({ kind: 'restore', snapshot: s });
                  confirmRef.current?.showModal();
                }}>
                  Restore…
                </button>
                <button type="button" className={BUTTON.secondary} aria-disabled={!connected || busy} title={`A new VM with the disks as they were in "${s.name}"`} onClick={() => connected && !busy && void act(async () => router.push(`/vm?id=${(await snapshotClone(config.id, s.name, undefined, newJobId())).config.id}`), 'make a new VM')}>
                  New VM
                </button>
                <button type="button" className={BUTTON.secondary} aria-disabled={!connected || busy || working} title={`Delete "${s.name}"`} onClick={() => {
                  if (!connected || busy || working) return;
                  setPending({ kind: 'delete', snapshot: s });
                  confirmRef.current?.showModal();
                }}>
                  Delete…
                </button>
              </div>
            </li>,
            s.tag === list?.current ? <NowMarker key="now" /> : null,
          ];
        })}
        {snapshots.length > 0 && list?.current === null && <NowMarker />}
      </ol>
      <TakeSnapshotDialog dialogRef={takeRef} vmId={config.id} live={status.state === 'running' || status.state === 'paused'} onDone={refresh} onFailure={setFailure} />
      <ConfirmDialog
        dialogRef={confirmRef}
        testId="snapshot-confirm"
        title={pending?.kind === 'delete' ? `Delete "${pending.snapshot.name}"?` : `Restore "${pending?.snapshot.name ?? ''}"?`}
        confirmLabel={pending?.kind === 'delete' ? 'Delete snapshot' : 'Restore'}
        confirmClass={pending?.kind === 'delete' ? BUTTON.danger : BUTTON.primary}
        onConfirm={confirmPending}
      >
        <p className="text-sm">{pending ? (pending.kind === 'delete' ? `The snapshot and the space it holds in the disk images go; the VM as it is now stays.` : lossSentence(pending.snapshot, status.state, currentName)) : ''}</p>
      </ConfirmDialog>
    </section>
  );
}

function NowMarker() {
  return (
    <li data-testid="snapshot-now" aria-label="Now: the VM's current state" className="ml-14 border-l-4 border-sky-600 py-1 pl-3 text-sm font-medium text-sky-800 dark:text-sky-300">
      Now
    </li>
  );
}
