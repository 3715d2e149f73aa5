import { VmSummary } from '@openutm/shared';
import { z } from 'zod';

// The library as the helper last listed it, kept in localStorage per helper origin so that the
// next visit can paint the VM cards at once (marked stale) instead of a skeleton that waits for
// the WebSocket round trip — on a slow phone the largest paint of `/`. It is only ever shown
// until the helper answers, and never for a browser without a token for that helper.

// A library this large would cost more to parse on load than it saves; it is not remembered.
export const MAX_REMEMBERED_CHARS = 200_000;

const Remembered = z.object({ vms: z.array(VmSummary) });

// The text stored for a list; null when it is too big to be worth keeping.
export function encodeLibrary(vms: readonly VmSummary[]): string | null {
  const text = JSON.stringify({ vms });
  return text.length > MAX_REMEMBERED_CHARS ? null : text;
}

// The list back from its stored text; null for anything that is not a valid list of this app's
// VMs (written by another version, truncated, edited by hand): the skeleton is shown then.
export function decodeLibrary(text: string | null): VmSummary[] | null {
  if (text === null || text === '' || text.length > MAX_REMEMBERED_CHARS) return null;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return null;
  }
  const parsed = Remembered.safeParse(json);
  return parsed.success ? parsed.data.vms : null;
}
