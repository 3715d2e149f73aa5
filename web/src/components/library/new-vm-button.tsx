'use client';

import { AppLink } from '../nav/app-link';
import { PlusIcon } from '../icons/action-icons';

const LOOK = 'inline-flex w-28 items-center justify-center gap-1.5 rounded-lg px-3 py-2 text-sm font-medium';

// The id of the sentence that says why New VM is off (the library's unpaired message shows it).
export const NEW_VM_REASON_ID = 'new-vm-reason';

// The library's one primary action. While this browser is not paired the wizard could not
// create anything, so it is shown switched off, left out of the Tab order, and points at the
// sentence saying why; the same width either way, so nothing moves when the helper answers.
export function NewVmButton({ unpaired }: { unpaired: boolean }) {
  if (unpaired) {
    return (
      <span
        role="link"
        aria-disabled="true"
        aria-describedby={NEW_VM_REASON_ID}
        title="Pair this browser first"
        data-testid="new-vm"
        className={`${LOOK} cursor-not-allowed bg-neutral-200 text-neutral-600 dark:bg-neutral-800 dark:text-neutral-400`}
      >
        <PlusIcon />
        New VM
      </span>
    );
  }
  return (
    <AppLink href="/new" data-testid="new-vm" className={`${LOOK} bg-sky-700 text-white hover:bg-sky-800`}>
      <PlusIcon />
      New VM
    </AppLink>
  );
}
