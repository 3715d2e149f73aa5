import { OpenUtmError, type DiskToolResult, type DiskUsage } from '@openutm/shared';
import { formatBytes } from '../disk-images/disk-space';
import { print, type Command, type CommandContext, type HelperApi } from './command';
import { withJob } from './follow-job';
import { table } from './format-output';
import { findVm } from './vm-commands';

// A convert or compact of a big image takes minutes on a slow disk.
const DISK_JOB_TIMEOUT_MS = 6 * 60 * 60_000;

// The disks' sizes as a table: what the guest sees beside what the host really stores.
export function formatDiskUsage(disks: DiskUsage[]): string {
  if (disks.length === 0) return 'No disks.';
  return table(
    ['DISK', 'FILE', 'FORMAT', 'VIRTUAL', 'ON HOST', 'NOTE'],
    disks.map((d) => [d.id, d.file, d.format, formatBytes(d.virtualBytes), d.actualBytes === null ? '?' : formatBytes(d.actualBytes), d.toolsBlockedBecause ? `cannot convert or compact: ${d.toolsBlockedBecause}` : '']),
  );
}

export function formatDiskResult(verb: string, r: DiskToolResult): string {
  return `${verb} ${r.disk.id}: now ${r.disk.file} (${r.disk.format}), ${formatBytes(r.bytesAfter)} on the host (was ${formatBytes(r.bytesBefore)}), ${formatBytes(r.disk.virtualBytes)} virtual`;
}

// Runs one disk job with its progress on stderr; Ctrl-C asks the helper to cancel it (the VM is
// then left as it was) instead of leaving it running without anyone watching.
function diskJob(ctx: CommandContext, api: HelperApi, what: string, call: (job: string) => Promise<DiskToolResult>): Promise<DiskToolResult> {
  return withJob(api, ctx.err, what, call, (job) => {
    ctx.err(`${what}: cancelling…`);
    void api.call('job.cancel', { job }).catch(() => undefined);
  });
}

// `openutm disk list|convert|compact`: the disk tools of a shut-down VM.
export const DISK_COMMANDS: Record<string, Command> = {
  disk: {
    summary: 'a VM’s disk images: `disk list VM` (virtual and real size), `disk convert VM DISK qcow2|raw`, `disk compact VM DISK` (VM shut down; Ctrl-C cancels)',
    usage: 'list <vm> | convert <vm> <disk> qcow2|raw | compact <vm> <disk>',
    options: {},
    async run(ctx, { positionals, json }) {
      const [action, ref, disk, format] = positionals;
      if (action !== 'list' && action !== 'convert' && action !== 'compact') {
        throw new OpenUtmError('BAD_REQUEST', 'say `openutm disk list VM`, `openutm disk convert VM DISK qcow2|raw` or `openutm disk compact VM DISK`');
      }
      const api = await ctx.api();
      const vm = await findVm(api, ref);
      if (action === 'list') {
        const usage = await api.call('vm.disks', { id: vm.config.id });
        print(ctx, json, usage, () => formatDiskUsage(usage));
        return;
      }
      if (disk === undefined) throw new OpenUtmError('BAD_REQUEST', `name the disk (${vm.config.disks.map((d) => d.id).join(', ') || 'this VM has none'}); \`openutm disk list ${ref}\` shows them`);
      if (action === 'convert') {
        if (format !== 'qcow2' && format !== 'raw') throw new OpenUtmError('BAD_REQUEST', `convert to qcow2 or raw, e.g. \`openutm disk convert ${ref} ${disk} raw\``);
        const r = await diskJob(ctx, api, `converting ${disk}`, (job) => api.call('vm.diskConvert', { id: vm.config.id, disk, format, job }, { timeoutMs: DISK_JOB_TIMEOUT_MS }));
        print(ctx, json, r, () => formatDiskResult('converted', r));
      } else {
        const r = await diskJob(ctx, api, `compacting ${disk}`, (job) => api.call('vm.diskCompact', { id: vm.config.id, disk, job }, { timeoutMs: DISK_JOB_TIMEOUT_MS }));
        print(ctx, json, r, () => formatDiskResult('compacted', r));
      }
    },
  },
};
