'use client';

import { canPerform, type VmAction, type VmState } from '@openutm/shared';
import { useRouter } from 'next/navigation';
import { useEffect, useId, useRef, type ComponentType, type ReactNode } from 'react';
import { vmKill, vmPause, vmReset, vmResume, vmStart, vmStop } from '../../helper-client/api';
import { ConsoleIcon, consoleHref } from '../console/console-icon';
import { openConsoleEarly } from '../console/console-preload';
import { cx } from '../cx';
import { ForceStopIcon, PauseIcon, ResumeIcon, ShutDownIcon, StartIcon } from '../icons/action-icons';
import { RestartIcon } from '../icons/restart-icon';
import { disabledReasons } from './disabled-reasons';
import { ForceStopDialog, useForceStopAsk } from './force-stop-dialog';
import { ShutDownCountdown } from './shut-down-countdown';

// One action a VM's toolbar can run; each is allowed by shared's canPerform rule.
export interface QuickAction {
  action: VmAction;
  label: string;
  // The accessible name's first words when they differ from the label.
  spoken?: string;
  Icon: ComponentType;
  run: (id: string) => Promise<unknown>;
  danger?: boolean;
}

export const QUICK_ACTIONS = {
  start: { action: 'start', label: 'Start', Icon: StartIcon, run: (id) => vmStart(id) },
  // Start for a suspended VM: it continues from its saved state.
  restore: { action: 'start', label: 'Resume', Icon: StartIcon, run: (id) => vmStart(id) },
  stop: { action: 'stop', label: 'Shut down', Icon: ShutDownIcon, run: (id) => vmStop(id) },
  pause: { action: 'pause', label: 'Pause', Icon: PauseIcon, run: vmPause },
  resume: { action: 'resume', label: 'Resume', Icon: ResumeIcon, run: vmResume },
  // Not "Restart <name>": a search for the button "Start <name>" would find it too.
  reset: { action: 'reset', label: 'Restart', spoken: 'Restart (reset)', Icon: RestartIcon, run: vmReset },
  kill: { action: 'kill', label: 'Force stop', Icon: ForceStopIcon, run: vmKill, danger: true },
} satisfies Record<string, QuickAction>;

export interface VmActionsProps {
  vmName: string;
  state: VmState;
  // While stopping: when the helper forces the VM off (VmStatus.forceStopAt), for the countdown.
  forceStopAt?: string | null | undefined;
  // False while the helper is not connected: nothing can be asked of it.
  connected: boolean;
  // Actions sent and not answered yet.
  busy: ReadonlySet<VmAction>;
  onAction: (action: QuickAction) => void;
  // The pointer or the focus reached an enabled action's button: it is probably next.
  onIntent?: (action: VmAction) => void;
  // 'card': a compact two-row toolbar; 'page': one row of labelled buttons.
  layout?: 'card' | 'page';
  // Links placed after the buttons, in the same toolbar (the card's Settings).
  children?: ReactNode;
}

// A card's toolbar cell: the icon above its name, so "Force stop" fits a four-column card.
export const CARD_CELL = 'flex h-12 flex-col items-center justify-center gap-0.5 px-1 text-xs';

// The five places of the toolbar, in order. A place keeps its button (and its focus) when its
// action flips (Start ↔ Shut down, Pause ↔ Resume), so a state change never moves a button.
function slotsFor(state: VmState, openConsole: QuickAction): QuickAction[] {
  const off = state === 'stopped' || state === 'crashed' || state === 'starting' || state === 'suspended';
  return [off ? (state === 'suspended' ? QUICK_ACTIONS.restore : QUICK_ACTIONS.start) : QUICK_ACTIONS.stop, state === 'paused' ? QUICK_ACTIONS.resume : QUICK_ACTIONS.pause, QUICK_ACTIONS.reset, QUICK_ACTIONS.kill, openConsole];
}

// A VM's controls with visible names: the actions that do not apply are disabled (out of the Tab
// order) and one sentence below says why; Force stop asks first; a shut down counts down.
export function VmActions({ vmName, state, forceStopAt = null, connected, busy, onAction, onIntent, layout = 'page', children }: VmActionsProps) {
  const router = useRouter();
  const reasonId = useId();
  const groupRef = useRef<HTMLDivElement | null>(null);
  // Whether focus was last inside the toolbar, so it can be kept there when its button is disabled.
  const hadFocus = useRef(false);
  const { dialogRef, confirmRef, open: askForceStop } = useForceStopAsk();
  // The console is a page, not a helper call: "running" it navigates there.
  const openConsole: QuickAction = {
    action: 'console',
    label: 'Console',
    Icon: ConsoleIcon,
    run: async (id) => {
      // The ticket is asked for while the page renders (see console-preload).
      openConsoleEarly(id);
      router.push(consoleHref(id));
    },
  };
  const slots = slotsFor(state, openConsole);
  const allowed = (a: QuickAction) => connected && canPerform(state, a.action);
  const reason = state === 'stopping' ? null : disabledReasons(state, connected, slots.filter((a) => !allowed(a)));

  // A button that becomes disabled drops focus to the page; hand it to the first usable one.
  useEffect(() => {
    const group = groupRef.current;
    const active = document.activeElement;
    // Chromium may leave activeElement on the now-disabled button, or already on <body>.
    const dropped = active === null || active === document.body || (group?.contains(active) === true && (active as HTMLButtonElement).disabled);
    if (!group || !hadFocus.current || !dropped) return;
    group.querySelector<HTMLButtonElement>('button:not([disabled])')?.focus();
  }, [state, connected, busy]);

  const forceStop = () => onAction(QUICK_ACTIONS.kill);
  const card = layout === 'card';
  return (
    <div className="min-w-0 space-y-1.5">
      <div
        ref={groupRef}
        role="toolbar"
        aria-label={`Actions for ${vmName}`}
        onFocus={() => (hadFocus.current = true)}
        onBlur={(e) => {
          // Focus leaving the toolbar, unless it was dropped by a button that was just disabled.
          const dropped = e.target instanceof HTMLButtonElement && e.target.disabled;
          if (!dropped && !e.currentTarget.contains(e.relatedTarget as Node | null)) hadFocus.current = false;
        }}
        className={card ? 'grid grid-cols-3 gap-1' : 'flex flex-wrap items-center gap-2'}
      >
        {slots.map((item, place) => {
          const inFlight = busy.has(item.action);
          const usable = allowed(item);
          return (
            <button
              key={place}
              type="button"
              aria-label={`${item.spoken ?? item.label} ${vmName}`}
              // In flight: still focusable, even once its state no longer allows it (Start while
              // starting), so focus stays where the person pressed; it just cannot be pressed again.
              aria-disabled={inFlight || undefined}
              aria-describedby={usable || inFlight ? undefined : reasonId}
              disabled={!usable && !inFlight}
              data-action={item.action}
              onPointerEnter={() => usable && !inFlight && onIntent?.(item.action)}
              onFocus={() => usable && !inFlight && onIntent?.(item.action)}
              onClick={() => {
                if (inFlight) return;
                if (item.action === 'kill') askForceStop();
                else onAction(item);
              }}
              className={cx(
                'min-w-0 rounded-lg font-medium transition-colors disabled:cursor-not-allowed',
                card ? CARD_CELL : 'flex h-9 items-center gap-1.5 border px-3 text-sm',
                usable
                  ? item.danger
                    ? 'border-red-300 text-red-700 hover:bg-red-50 dark:border-red-800 dark:text-red-400 dark:hover:bg-red-950'
                    : 'border-neutral-300 text-neutral-800 hover:bg-neutral-100 dark:border-neutral-700 dark:text-neutral-100 dark:hover:bg-neutral-800'
                  : 'border-neutral-200 text-neutral-500 dark:border-neutral-800 dark:text-neutral-500',
                inFlight && 'animate-pulse cursor-progress',
              )}
            >
              <span className="shrink-0">
                <item.Icon />
              </span>
              <span className="truncate">{item.label}</span>
            </button>
          );
        })}
        {children}
      </div>
      {state === 'stopping' ? (
        <ShutDownCountdown forceStopAt={forceStopAt} onForceStop={askForceStop} compact={card} />
      ) : (
        <p id={reasonId} data-testid="vm-actions-reason" className={cx('text-xs text-neutral-600 dark:text-neutral-400', card && 'min-h-8')}>
          {reason}
        </p>
      )}
      <ForceStopDialog dialogRef={dialogRef} confirmRef={confirmRef} vmName={vmName} onConfirm={forceStop} />
    </div>
  );
}
