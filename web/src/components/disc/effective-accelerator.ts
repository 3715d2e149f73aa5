import type { Accelerator, AcceleratorChoice, Architecture, HostFacts } from '@openutm/shared';

// The accelerator a VM with this architecture and setting will really run under, as the helper
// says (its override and probe included); null while the helper has not said. An older helper
// without effectiveAccelerators: its best usable accelerator, as before.
export function effectiveAccelerator(facts: HostFacts | null, architecture: Architecture, choice: AcceleratorChoice): Accelerator | null {
  if (facts === null) return null;
  const said = facts.effectiveAccelerators?.find((e) => e.architecture === architecture);
  if (said?.override) return said.accelerator;
  if (choice !== 'auto') return choice;
  return said?.accelerator ?? facts.accelerators[0] ?? 'tcg';
}

// Whether OPENUTM_ACCEL decides for every VM (the wizard's choice then changes nothing).
export function acceleratorOverridden(facts: HostFacts | null): boolean {
  return facts?.effectiveAccelerators?.some((e) => e.override) ?? false;
}
