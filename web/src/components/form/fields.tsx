'use client';

import { useId, type ReactNode } from 'react';
import { cx } from '../cx';

// Form fields shared by the wizard and the settings page: a visible label, the control, and
// under it the field's error (from zod or the helper) and host warnings, tied to the control
// with aria-describedby so a screen reader reads them with it.

export interface FieldNotes {
  error?: string | undefined;
  // "slow" is amber; "broken" (will not work on this host) is red but does not block.
  warnings?: ReadonlyArray<{ kind: 'slow' | 'broken'; text: string }>;
  hint?: ReactNode;
}

export const INPUT_CLASS =
  'w-full rounded-lg border bg-white px-3 py-2 text-sm disabled:cursor-not-allowed disabled:opacity-60 dark:bg-neutral-900';

function borderFor(error: string | undefined): string {
  return error ? 'border-red-500 dark:border-red-500' : 'border-neutral-300 dark:border-neutral-700';
}

function Notes({ id, error, warnings, hint }: FieldNotes & { id: string }) {
  if (!error && !warnings?.length && !hint) return null;
  return (
    <div id={id} className="mt-1 space-y-1 text-xs">
      {error && (
        <p data-testid="field-error" className="font-medium text-red-700 dark:text-red-400">
          {error.charAt(0).toUpperCase() + error.slice(1)}
        </p>
      )}
      {warnings?.map((w) => (
        <p
          key={w.text}
          data-testid="field-warning"
          data-kind={w.kind}
          className={w.kind === 'broken' ? 'text-red-700 dark:text-red-400' : 'text-amber-700 dark:text-amber-300'}
        >
          {w.kind === 'broken' ? 'Will not work: ' : 'Slow: '}
          {w.text}
        </p>
      ))}
      {hint && <p className="text-neutral-600 dark:text-neutral-400">{hint}</p>}
    </div>
  );
}

// The control's id and, when there are notes, the id they are read from.
function useFieldIds(notes: FieldNotes): { id: string; notesId: string; describedBy: string | undefined } {
  const id = useId();
  const notesId = `${id}-notes`;
  const hasNotes = Boolean(notes.error || notes.warnings?.length || notes.hint);
  return { id, notesId, describedBy: hasNotes ? notesId : undefined };
}

// A label above its control and the notes under it (text and select fields).
function LabelledField(props: FieldNotes & { id: string; notesId: string; label: string; className?: string | undefined; children: ReactNode }) {
  return (
    <div className={props.className}>
      <label htmlFor={props.id} className="mb-1 block text-sm font-medium">
        {props.label}
      </label>
      {props.children}
      <Notes id={props.notesId} error={props.error} warnings={props.warnings} hint={props.hint} />
    </div>
  );
}

export function TextField(
  props: FieldNotes & {
    label: string;
    value: string;
    onChange: (value: string) => void;
    name: string;
    type?: 'text' | 'number';
    suffix?: string;
    placeholder?: string;
    disabled?: boolean;
    min?: number;
    max?: number;
    step?: number;
    className?: string;
    autoFocus?: boolean;
    // A control beside the input (a Browse… button).
    after?: ReactNode;
  },
) {
  const { id, notesId, describedBy } = useFieldIds(props);
  return (
    <LabelledField {...props} id={id} notesId={notesId}>
      <div className="flex items-center gap-2">
        <input
          id={id}
          name={props.name}
          type={props.type ?? 'text'}
          inputMode={props.type === 'number' ? 'numeric' : undefined}
          value={props.value}
          min={props.min}
          max={props.max}
          step={props.step}
          placeholder={props.placeholder}
          disabled={props.disabled}
          autoFocus={props.autoFocus}
          spellCheck={false}
          aria-invalid={props.error ? true : undefined}
          aria-describedby={describedBy}
          onChange={(e) => props.onChange(e.target.value)}
          className={cx(INPUT_CLASS, borderFor(props.error))}
        />
        {props.suffix && <span className="shrink-0 text-sm text-neutral-600 dark:text-neutral-400">{props.suffix}</span>}
        {props.after}
      </div>
    </LabelledField>
  );
}

export function SelectField<V extends string>(
  props: FieldNotes & {
    label: string;
    value: V;
    onChange: (value: V) => void;
    name: string;
    options: ReadonlyArray<{ value: V; label: string }>;
    disabled?: boolean;
    className?: string;
  },
) {
  const { id, notesId, describedBy } = useFieldIds(props);
  return (
    <LabelledField {...props} id={id} notesId={notesId}>
      <select
        id={id}
        name={props.name}
        value={props.value}
        disabled={props.disabled}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={describedBy}
        onChange={(e) => props.onChange(e.target.value as V)}
        className={cx(INPUT_CLASS, borderFor(props.error))}
      >
        {props.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </LabelledField>
  );
}

export function CheckField(
  props: FieldNotes & { label: string; checked: boolean; onChange: (checked: boolean) => void; name: string; disabled?: boolean; className?: string },
) {
  const { id, notesId, describedBy } = useFieldIds(props);
  return (
    <div className={props.className}>
      <div className="flex items-center gap-2">
        <input
          id={id}
          name={props.name}
          type="checkbox"
          checked={props.checked}
          disabled={props.disabled}
          aria-describedby={describedBy}
          onChange={(e) => props.onChange(e.target.checked)}
          className="size-4 rounded border-neutral-300 accent-sky-600"
        />
        <label htmlFor={id} className="text-sm font-medium">
          {props.label}
        </label>
      </div>
      <Notes id={notesId} error={props.error} warnings={props.warnings} hint={props.hint} />
    </div>
  );
}

export const BUTTON = {
  primary:
    'inline-flex items-center justify-center gap-1.5 rounded-lg bg-sky-700 px-4 py-2 text-sm font-medium text-white hover:bg-sky-800 disabled:cursor-not-allowed disabled:opacity-50 aria-disabled:cursor-not-allowed aria-disabled:opacity-50',
  secondary:
    'inline-flex items-center justify-center gap-1.5 rounded-lg border border-neutral-300 bg-white px-4 py-2 text-sm font-medium hover:bg-neutral-50 disabled:cursor-not-allowed disabled:opacity-50 aria-disabled:cursor-not-allowed aria-disabled:opacity-50 dark:border-neutral-700 dark:bg-neutral-900 dark:hover:bg-neutral-800',
  danger:
    'inline-flex items-center justify-center gap-1.5 rounded-lg bg-red-600 px-4 py-2 text-sm font-medium text-white hover:bg-red-700 disabled:cursor-not-allowed disabled:opacity-50 aria-disabled:cursor-not-allowed aria-disabled:opacity-50',
} as const;
