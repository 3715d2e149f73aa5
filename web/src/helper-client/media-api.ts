import type { DiscBoot } from '@openutm/shared';
import { helperCall } from './helper-call';

// What a disc image can boot (BIOS, UEFI, neither), read by the helper from its boot catalogue.
// The answer is about a file, not about a VM, so it goes back to the caller, not into a store.
export function hostInspectMedia(path: string): Promise<DiscBoot> {
  return helperCall('host.inspectMedia', { path });
}
