import type { HostFacts } from '@openutm/shared';
import { gatherHostFacts } from '../host/doctor';
import { formatDoctor } from '../host/format-doctor';
import { isHelperUnreachable } from '../api-client/client-errors';
import { print, type Command } from './command';

// `openutm doctor`: what the helper finds on this computer (host.doctor). When no helper can
// run, this process looks for itself: doctor is what people run when something is broken.
export const DOCTOR_COMMAND: Command = {
  summary: 'show what QEMU, accelerators and firmware this computer has',
  usage: '',
  options: {},
  async run(ctx, { json }) {
    let facts: HostFacts;
    try {
      facts = await (await ctx.api()).call('host.doctor', {});
    } catch (e) {
      if (!isHelperUnreachable(e)) throw e;
      ctx.err(`openutm: ${(e as Error).message}\n(looking at this computer without the helper instead)`);
      facts = await gatherHostFacts();
    }
    print(ctx, json, facts, () => formatDoctor(facts));
    return facts.problems.some((p) => p.severity === 'error') ? 1 : 0;
  },
};
