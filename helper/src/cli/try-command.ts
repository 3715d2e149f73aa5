import { OpenUtmError, type VmStatus } from '@openutm/shared';
import { print, type Command } from './command';
import { withJob } from './follow-job';
import { formatStatus } from './format-output';
import { findVm } from './vm-commands';

// A Keep writes every change of the try into the disks: as long as a disk copy can take.
const KEEP_TIMEOUT_MS = 6 * 3600_000;

// `openutm start VM --try`: on throwaway overlays; what it prints says how to end the try.
export const START_COMMAND: Command = {
  summary: 'start a VM (a suspended one resumes where it was); --try runs it on throwaway overlays, whose changes you keep or discard after it stops',
  usage: '<vm> [--try]',
  options: { try: { type: 'boolean' } },
  async run(ctx, { values, positionals, json }) {
    const api = await ctx.api();
    const vm = await findVm(api, positionals[0]);
    const tryRun = values.try === true;
    // A suspended VM resumes, reading its memory back: that progress goes to stderr.
    const status: VmStatus = await withJob(api, ctx.err, 'resume', (job) =>
      api.call('vm.start', { id: vm.config.id, job, ...(tryRun && { try: true }) }, { timeoutMs: 30 * 60_000 }),
    );
    // A helper older than try mode drops the flag and starts for real: say so, never pretend.
    if (tryRun && status.tryMode !== 'active') {
      throw new OpenUtmError('HELPER_TOO_OLD', `the helper started ${vm.config.name} without try mode (it does not know it): its disks are being written for real; update the helper`);
    }
    print(ctx, json, status, () => formatStatus(status));
  },
};

// `openutm try keep VM` / `openutm try discard VM`: the choice after a try.
export const TRY_COMMAND: Command = {
  summary: 'after a try: `try keep <vm>` writes its changes into the disks, `try discard <vm>` drops them',
  usage: 'keep <vm> | discard <vm>',
  options: {},
  async run(ctx, { positionals, json }) {
    const [choice, ref] = positionals;
    if (choice !== 'keep' && choice !== 'discard') {
      throw new OpenUtmError('BAD_REQUEST', 'say `openutm try keep VM` (write the try\'s changes into the disks) or `openutm try discard VM` (drop them)');
    }
    const api = await ctx.api();
    const vm = await findVm(api, ref);
    if (choice === 'discard') {
      const status = await api.call('vm.tryDiscard', { id: vm.config.id });
      print(ctx, json, status, () => `discarded the changes of the try; ${formatStatus(status)}`);
      return;
    }
    const status = await withJob(api, ctx.err, 'keep', (job) => api.call('vm.tryKeep', { id: vm.config.id, job }, { timeoutMs: KEEP_TIMEOUT_MS }));
    print(ctx, json, status, () => `kept the changes of the try in the disks; ${formatStatus(status)}`);
  },
};
