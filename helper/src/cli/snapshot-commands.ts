import { OpenUtmError, type SnapshotList } from '@openutm/shared';
import { print, type Command } from './command';
import { withJob } from './follow-job';
import { findVm } from './vm-commands';
import { formatSnapshots } from './format-snapshots';

// Writing or loading a big VM's memory can take minutes.
const SNAPSHOT_TIMEOUT_MS = 60 * 60_000;

const USAGE = 'save <vm> <name> [--notes TEXT] | list <vm> | restore <vm> <name> | delete <vm> <name> | clone <vm> <name> [--name NEW] | convert <vm>';

// Named snapshots: `openutm snapshot save|list|restore|delete|clone|convert`.
export const SNAPSHOT_COMMAND: Command = {
  summary: 'named snapshots of a VM (with its memory while it runs): save, list, restore, delete, clone (a new VM from one), convert (raw disks to qcow2)',
  usage: USAGE,
  options: { notes: { type: 'string' }, name: { type: 'string' } },
  async run(ctx, { values, positionals, json }) {
    const [verb, ref, name] = positionals;
    const needName = verb === 'save' || verb === 'restore' || verb === 'delete' || verb === 'clone';
    if (!verb || !['save', 'list', 'restore', 'delete', 'clone', 'convert'].includes(verb) || ref === undefined || (needName && name === undefined)) {
      throw new OpenUtmError('BAD_REQUEST', `say \`openutm snapshot ${USAGE}\``);
    }
    const api = await ctx.api();
    const vm = await findVm(api, ref);
    const id = vm.config.id;
    if (verb === 'list') {
      const list = await api.call('vm.snapshots', { id });
      print(ctx, json, list, () => formatSnapshots(vm.config.name, list));
      return;
    }
    const opts = { timeoutMs: SNAPSHOT_TIMEOUT_MS };
    await withJob(api, ctx.err, `${verb} snapshot`, async (job) => {
      const snapshot = name!;
      switch (verb) {
        case 'save': {
          const notes = typeof values.notes === 'string' ? values.notes : '';
          const info = await api.call('vm.snapshotSave', { id, name: snapshot, notes, job }, opts);
          print(ctx, json, info, () => `saved snapshot "${info.name}" of ${vm.config.name}${info.memory ? ' (with its memory)' : ''}`);
          break;
        }
        case 'restore': {
          const status = await api.call('vm.snapshotRestore', { id, name: snapshot, job }, opts);
          print(ctx, json, status, () => `${vm.config.name} is back at "${snapshot}" (${status.state})`);
          break;
        }
        case 'delete': {
          const list: SnapshotList = await api.call('vm.snapshotDelete', { id, name: snapshot, job }, opts);
          print(ctx, json, list, () => `deleted snapshot "${snapshot}" of ${vm.config.name}`);
          break;
        }
        case 'clone': {
          const newName = typeof values.name === 'string' ? values.name : undefined;
          const made = await api.call('vm.snapshotClone', { id, name: snapshot, ...(newName !== undefined && { newName }), job }, opts);
          print(ctx, json, made, () => `created ${made.config.name} from snapshot "${snapshot}" of ${vm.config.name}`);
          break;
        }
        case 'convert': {
          const next = await api.call('vm.convertDisks', { id, job }, opts);
          print(ctx, json, next, () => `converted the raw disks of ${vm.config.name} to qcow2 (the raw images stay in its folder, detached)`);
          break;
        }
      }
    });
  },
};
