'use client';

import type { GuestAgentInfo } from '@openutm/shared';
import { CopyButton } from './copy-button';
import { guestAgentView } from './guest-agent-view';

// The card's line about the guest: its name and address with a copy button, or, quietly, why
// there is none. Always one line high, so a VM starting or its agent answering moves nothing.
export function GuestAgentLine({ agent, vmName }: { agent: GuestAgentInfo | null | undefined; vmName: string }) {
  const view = guestAgentView(agent);
  return (
    <div data-testid="guest-agent" data-state={view.kind} className="flex h-5 min-w-0 items-center gap-1 text-xs text-neutral-600 dark:text-neutral-400">
      {view.kind === 'connected' ? (
        <>
          <span className="min-w-0 truncate" title={view.os ?? undefined} data-testid="guest-hostname">
            {view.hostname ?? 'Guest'}
          </span>
          {view.ip !== null && (
            <>
              <span aria-hidden="true">·</span>
              <span className="min-w-0 truncate font-mono" data-testid="guest-ip">
                {view.ip}
              </span>
              <CopyButton text={view.ip} label={`Copy the IP address of ${vmName}`} />
            </>
          )}
        </>
      ) : view.kind === 'absent' || view.kind === 'off' ? (
        <span className="min-w-0 truncate" title={view.text}>
          {view.text}
        </span>
      ) : null}
    </div>
  );
}
