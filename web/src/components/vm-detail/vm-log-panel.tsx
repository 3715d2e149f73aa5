'use client';

import type { VmLogTail, VmSummary } from '@openutm/shared';
import { useEffect, useState } from 'react';
import { errorMessage } from '../../helper-client/client-errors';
import { vmLog } from '../../helper-client/settings-api';
import { describeStatus } from '../library/format';
import { BUTTON } from '../form/fields';
import { terminalText } from '../format/terminal-text';

// Why the VM last ended (crash reason and log lines), and the end of its QEMU and serial logs,
// the serial one as the terminal showed it (no raw escape sequences). Re-read whenever the VM's
// state changes, and on request.
export function VmLogPanel({ vm, connected }: { vm: VmSummary; connected: boolean }) {
  const { status } = vm;
  const [log, setLog] = useState<VmLogTail | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [tick, setTick] = useState(0);

  useEffect(() => {
    if (!connected) return;
    let live = true;
    vmLog(status.id, 200)
      .then((l) => live && (setLog(l), setFailure(null)))
      .catch((e: unknown) => live && setFailure(errorMessage(e)));
    return () => {
      live = false;
    };
  }, [status.id, status.state, status.since, connected, tick]);

  return (
    <section aria-labelledby="log-title" className="space-y-3">
      <div className="flex items-center gap-3">
        <h2 id="log-title" className="mr-auto text-lg font-semibold">
          Log
        </h2>
        <button type="button" className={BUTTON.secondary} onClick={() => setTick((t) => t + 1)} disabled={!connected}>
          Refresh log
        </button>
      </div>
      <p className="text-sm" data-testid="last-state">
        {describeStatus(status)}
      </p>
      {status.crash && (
        <div role="alert" data-testid="crash-info" className="space-y-2 rounded-lg border border-red-300 bg-red-50 p-3 text-sm text-red-900 dark:border-red-900 dark:bg-red-950 dark:text-red-100">
          <p className="font-medium">
            Crashed at {new Date(status.crash.at).toLocaleString()}: {status.crash.reason}
            {status.crash.exitCode !== null && ` (exit code ${status.crash.exitCode})`}
            {status.crash.signal && ` (signal ${status.crash.signal})`}
          </p>
          {status.crash.logTail.length > 0 && <pre className="max-h-48 overflow-auto text-xs whitespace-pre-wrap">{terminalText(status.crash.logTail).join('\n')}</pre>}
        </div>
      )}
      {failure && <p className="text-sm text-red-700 dark:text-red-400">Could not read the log: {failure}</p>}
      {log && (
        <div className="grid gap-3 lg:grid-cols-2">
          <LogBlock title={`QEMU${log.source === 'last-run' ? ' (last run)' : ''}`} lines={log.qemu} testId="qemu-log" />
          <LogBlock title={`Serial console${log.source === 'last-run' ? ' (last run)' : ''}`} lines={terminalText(log.serial)} testId="serial-log" />
        </div>
      )}
    </section>
  );
}

function LogBlock({ title, lines, testId }: { title: string; lines: readonly string[]; testId: string }) {
  return (
    <div>
      <h3 className="mb-1 text-sm font-medium">{title}</h3>
      <pre tabIndex={0} aria-label={`${title} log`} data-testid={testId} className="h-56 overflow-auto rounded-lg bg-neutral-900 p-3 text-xs whitespace-pre-wrap text-neutral-100">
        {lines.length > 0 ? lines.join('\n') : 'Nothing logged.'}
      </pre>
    </div>
  );
}
