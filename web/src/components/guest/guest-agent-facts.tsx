'use client';

import type { GuestAgentInfo } from '@openutm/shared';
import { CopyButton } from './copy-button';
import { guestAgentView } from './guest-agent-view';

// The VM page's facts from the guest agent, as rows of the summary's list: name, OS and every
// address with a copy button; or one row saying quietly why there are none.
export function GuestAgentFacts({ agent, vmName }: { agent: GuestAgentInfo | null | undefined; vmName: string }) {
  const view = guestAgentView(agent);
  if (view.kind === 'none') return null;
  if (view.kind !== 'connected') {
    return (
      <div className="contents" data-testid="guest-agent-facts" data-state={view.kind}>
        <dt className="text-neutral-600 dark:text-neutral-400">Guest</dt>
        <dd className="min-w-0 break-words text-neutral-600 dark:text-neutral-400">{view.text}</dd>
      </div>
    );
  }
  return (
    <div className="contents" data-testid="guest-agent-facts" data-state="connected">
      <dt className="text-neutral-600 dark:text-neutral-400">Hostname</dt>
      <dd className="min-w-0 break-words" data-testid="guest-hostname">
        {view.hostname ?? 'Not given'}
      </dd>
      {view.os !== null && (
        <>
          <dt className="text-neutral-600 dark:text-neutral-400">Guest OS</dt>
          <dd className="min-w-0 break-words" data-testid="guest-os">
            {view.os}
          </dd>
        </>
      )}
      <dt className="text-neutral-600 dark:text-neutral-400">IP address</dt>
      <dd className="min-w-0">
        {view.ips.length === 0 ? (
          'None yet'
        ) : (
          <ul className="space-y-0.5">
            {view.ips.map((ip) => (
              <li key={`${ip.interface}-${ip.address}`} className="flex min-w-0 items-center gap-1">
                <span className="min-w-0 break-all font-mono" data-testid="guest-ip">
                  {ip.address}
                </span>
                <CopyButton text={ip.address} label={`Copy ${ip.address}, an address of ${vmName}`} />
              </li>
            ))}
          </ul>
        )}
      </dd>
    </div>
  );
}
