'use client';

import { canPerform, whyNot, type VmAction, type VmState } from '@openutm/shared';
import { useRouter } from 'next/navigation';
import type { ComponentType } from 'react';
import { vmKill, vmPause, vmResume, vmStart, vmStop } from '../../helper-client/api';
import { ConsoleIcon, consoleHref } from '../console/console-icon';
import { openConsoleEarly } from '../console/console-preload';
import { cx } from '../cx';
import { ForceStopIcon, PauseIcon, ResumeIcon, ShutDownIcon, StartIcon } from '../icons/action-icons';

// The quick actions a card offers, in order; each is allowed by shared's canPerform rule.
export const QUICK_ACTIONS: ReadonlyArray<{
  action: VmAction;
  label: string;
  Icon: ComponentType;
  run: (id: string) => Promise<unknown>;
  danger?: boolean;
}> = [
  { action: 'start', label: 'Start', Icon: StartIcon, run: vmStart },
  { action: 'pause', label: 'Pause', Icon: PauseIcon, run: vmPause },
  { action: 'resume', label: 'Resume', Icon: ResumeIcon, run: vmResume },
  { action: 'stop', label: 'Shut down', Icon: ShutDownIcon, run: (id) => vmStop(id) },
  { action: 'kill', label: 'Force stop', Icon: ForceStopIcon, run: vmKill, danger: true },
];

export interface VmActionsProps {
  vmName: string;
  state: VmState;
  // False while the helper is not connected: nothing can be asked of it.
  connected: boolean;
  // Actions sent and not answered yet.
  busy: ReadonlySet<VmAction>;
  onAction: (action: (typeof QUICK_ACTIONS)[number]) => void;
  // The pointer or the focus reached an enabled action's button: it is probably next.
  onIntent?: (action: VmAction) => void;
}

// Always the same five buttons in the same places; the ones that do not apply are dimmed (and
// say why), so a state change never moves a button under the pointer.
export function VmActions({ vmName, state, connected, busy, onAction, onIntent }: VmActionsProps) {
  const router = useRouter();
  // The console is a page, not a helper call: "running" it navigates there.
  const openConsole: (typeof QUICK_ACTIONS)[number] = {
    action: 'console',
    label: 'Console',
    Icon: ConsoleIcon,
    run: async (id) => {
      // The ticket is asked for while the page renders (see console-preload).
      openConsoleEarly(id);
      router.push(consoleHref(id));
    },
  };
  return (
    <div role="group" aria-label={`Actions for ${vmName}`} className="flex min-w-0 items-center gap-0.5">
      {[...QUICK_ACTIONS, openConsole].map((item) => {
        const inFlight = busy.has(item.action);
        const reason = !connected ? 'not connected to the helper' : inFlight ? `${item.label.toLowerCase()} in progress…` : whyNot(state, item.action);
        const enabled = connected && !inFlight && canPerform(state, item.action);
        return (
          <button
            key={item.action}
            type="button"
            aria-label={`${item.label} ${vmName}`}
            aria-disabled={!enabled}
            title={reason === null ? item.label : `${item.label}: ${reason}`}
            data-action={item.action}
            onClick={() => enabled && onAction(item)}
            onPointerEnter={() => enabled && onIntent?.(item.action)}
            onFocus={() => enabled && onIntent?.(item.action)}
            className={cx(
              'grid size-8 shrink-0 place-items-center rounded-lg transition-colors',
              enabled
                ? item.danger
                  ? 'text-red-600 hover:bg-red-50 dark:text-red-400 dark:hover:bg-red-950'
                  : 'text-neutral-700 hover:bg-neutral-100 dark:text-neutral-200 dark:hover:bg-neutral-800'
                : 'cursor-not-allowed text-neutral-300 dark:text-neutral-600',
              inFlight && 'animate-pulse',
            )}
          >
            <item.Icon />
          </button>
        );
      })}
    </div>
  );
}
