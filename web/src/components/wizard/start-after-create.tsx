'use client';

import { CheckField } from '../form/fields';

// The summary's last choice: start the new VM and go to its console (what a person with an
// installer disc wants next) rather than to its settings.
export function StartAfterCreate({ checked, onChange }: { checked: boolean; onChange: (checked: boolean) => void }) {
  return (
    <CheckField
      className="mt-5"
      label="Start the VM and open its console"
      name="startAfterCreate"
      checked={checked}
      onChange={onChange}
      hint="On for an installer disc; without it, Create opens the VM's page."
    />
  );
}
