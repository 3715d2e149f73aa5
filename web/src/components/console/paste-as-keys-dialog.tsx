'use client';

import { describeUntypable, isOpenUtmError, KEYBOARD_LAYOUT_NAMES, planKeystrokes, type KeyboardLayout } from '@openutm/shared';
import { useId, useRef, useState, type RefObject } from 'react';
import { vmCancelTyping, vmType } from '../../helper-client/api';
import { errorMessage } from '../../helper-client/client-errors';
import { newJobId } from '../../helper-client/settings-api';
import { useJob } from '../../stores/job-store';
import { BUTTON, INPUT_CLASS } from '../form/fields';
import { JobProgressBar } from '../jobs/job-progress-bar';

export interface PasteAsKeysDialogProps {
  dialogRef: RefObject<HTMLDialogElement | null>;
  vmId: string;
  vmName: string;
  // keyboard: keystrokes in the VM's layout (screen); serial: bytes on its serial port.
  via: 'keyboard' | 'serial';
  layout: KeyboardLayout;
  // Where the focus goes once the dialog closes (the screen or the terminal).
  onClosed: () => void;
}

// "Paste as keys": types a text into a guest that has no clipboard agent (an installer, a
// BIOS prompt, a login). Characters the VM's layout has no key for are named before anything is
// sent, and the typing shows its progress and can be stopped.
export function PasteAsKeysDialog({ dialogRef, vmId, vmName, via, layout, onClosed }: PasteAsKeysDialogProps) {
  const titleId = useId();
  const textId = useId();
  const noteId = useId();
  const [text, setText] = useState('');
  const [job, setJob] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const textRef = useRef<HTMLTextAreaElement>(null);
  const progress = useJob(job);
  const typing = job !== null;
  const untypable = via === 'keyboard' ? planKeystrokes(text, layout).untypable : [];
  const layoutName = KEYBOARD_LAYOUT_NAMES[layout];
  const blocked = text.length === 0 ? 'there is nothing to type' : untypable.length > 0 ? 'some characters have no key' : null;

  const pasteClipboard = async () => {
    setProblem(null);
    try {
      setText(await navigator.clipboard.readText());
    } catch {
      setProblem('The browser did not let the page read the clipboard: paste into the box (Ctrl+V or ⌘V) instead.');
    }
    textRef.current?.focus();
  };

  const send = async () => {
    if (blocked !== null || typing) return;
    const id = newJobId();
    setProblem(null);
    setJob(id);
    try {
      await vmType(vmId, text, via, id);
      setText('');
      dialogRef.current?.close();
    } catch (e) {
      setProblem(isOpenUtmError(e) && e.code === 'CANCELLED' ? `Stopped: ${errorMessage(e)}.` : `Could not type: ${errorMessage(e)}`);
    } finally {
      setJob(null);
    }
  };

  return (
    <dialog
      ref={dialogRef}
      aria-labelledby={titleId}
      data-testid="paste-as-keys"
      onClose={onClosed}
      onCancel={(e) => {
        // Escape while typing would hide a job that still runs: stop it instead.
        if (!typing) return;
        e.preventDefault();
        void vmCancelTyping(vmId).catch(() => undefined);
      }}
      className="m-auto w-[min(36rem,calc(100vw-2rem))] rounded-2xl border border-neutral-200 bg-white p-5 text-neutral-900 shadow-xl backdrop:bg-black/40 dark:border-neutral-800 dark:bg-neutral-900 dark:text-neutral-100"
    >
      <form
        method="dialog"
        className="space-y-3"
        onSubmit={(e) => {
          e.preventDefault();
          void send();
        }}
      >
        <h2 id={titleId} className="text-lg font-semibold">
          Paste as keys into {vmName}
        </h2>
        <p className="text-sm text-neutral-600 dark:text-neutral-400">
          {via === 'keyboard'
            ? `Typed key by key on the guest's keyboard with the ${layoutName} layout (the VM's settings say which), for guests without a clipboard: installers, BIOS, logins.`
            : 'Sent to the serial port as if typed there; each line end presses Enter.'}
        </p>
        <label htmlFor={textId} className="block text-sm font-medium">
          Text to type
        </label>
        <textarea
          ref={textRef}
          id={textId}
          data-testid="paste-as-keys-text"
          value={text}
          onChange={(e) => setText(e.target.value)}
          disabled={typing}
          rows={5}
          spellCheck={false}
          aria-describedby={noteId}
          aria-invalid={untypable.length > 0}
          className={`${INPUT_CLASS} border-neutral-300 font-mono dark:border-neutral-700`}
        />
        <div id={noteId} aria-live="polite" className="min-h-5 space-y-1 text-xs">
          {untypable.length > 0 && (
            <p data-testid="paste-as-keys-untypable" className="font-medium text-red-700 dark:text-red-400">
              The {layoutName} layout has no key for {describeUntypable(untypable)}. Remove {untypable.length === 1 ? 'it' : 'them'}, or set the layout the guest uses in
              the VM&apos;s settings.
            </p>
          )}
          {problem && (
            <p data-testid="paste-as-keys-problem" className="font-medium text-red-700 dark:text-red-400">
              {problem}
            </p>
          )}
        </div>
        {typing && <JobProgressBar progress={progress} label={`Typing into ${vmName}`} />}
        <div className="flex flex-wrap justify-end gap-2">
          <button type="button" className={`${BUTTON.secondary} mr-auto`} disabled={typing} onClick={() => void pasteClipboard()}>
            Paste from clipboard
          </button>
          {typing ? (
            <button type="button" className={BUTTON.secondary} onClick={() => void vmCancelTyping(vmId).catch(() => undefined)}>
              Stop typing
            </button>
          ) : (
            <button type="button" className={BUTTON.secondary} onClick={() => dialogRef.current?.close()}>
              Close
            </button>
          )}
          <button type="submit" className={BUTTON.primary} aria-disabled={blocked !== null || typing} title={blocked ?? undefined}>
            Type it
          </button>
        </div>
      </form>
    </dialog>
  );
}
