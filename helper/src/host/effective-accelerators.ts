import { Accelerator, type HostFacts } from '@openutm/shared';
import { usableAccelerators } from '../qemu-args/accelerator';

export type EffectiveAccelerators = NonNullable<HostFacts['effectiveAccelerators']>;

// What a VM set to 'auto' will really run under, per installed QEMU: OPENUTM_ACCEL when it names
// an accelerator (the engine applies it to every VM), else the best one usable for that guest.
// The UI shows this instead of guessing from the devices the host has.
export function effectiveAccelerators(facts: Omit<HostFacts, 'effectiveAccelerators'>, overrideRaw: string | undefined): EffectiveAccelerators {
  const raw = overrideRaw?.trim();
  const override = raw && raw !== 'auto' ? Accelerator.safeParse(raw) : null;
  return facts.qemu.map((binary) => {
    if (override?.success) return { architecture: binary.architecture, accelerator: override.data, override: true };
    return { architecture: binary.architecture, accelerator: usableAccelerators(binary.architecture, facts, binary)[0] ?? 'tcg', override: false };
  });
}
