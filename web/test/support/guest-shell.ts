import { randomBytes } from 'node:crypto';
import { waitForMatch } from '../../../helper/test/support/wait';
import { typeIntoGuest } from './guest-serial';
import type { RealHelper } from './real-helper';

// Runs a shell snippet on a guest's serial shell and returns what it left in `$v`. The answer is
// printed between markers the typed command's own echo cannot match (it shows `${v}`, with a `$`),
// so a long log of earlier answers never confuses it.
export async function guestValue(helper: RealHelper, vm: string, script: string, timeoutMs = 120_000): Promise<string> {
  const tag = `val${randomBytes(4).toString('hex')}`;
  await typeIntoGuest(helper, vm, `v=; ${script}; echo "@@${tag}=\${v}@@"`);
  const pattern = new RegExp(`@@${tag}=([^@\\s$]*)@@`);
  const log = await waitForMatch(helper.serialLog(vm), pattern, timeoutMs);
  return pattern.exec(log)![1]!;
}
