import path from 'node:path';
import { KeyboardLayout, OpenUtmError, OsPreset, type MethodName, type VmCreateRequest, type VmEditRequest, type VmStatus, type VmSummary } from '@openutm/shared';
import { parsePortForward, parseSizeMiB } from './parse-units';
import { diskEditsFromFlags, driveOptions, DRIVE_USAGE, removableEditsFromFlags } from './drive-flags';
import { formatList, formatShow, formatStatus } from './format-output';
import { int, print, str, type Command, type HelperApi, type Options, type Values } from './command';
import { followJob, withJob } from './follow-job';

const configOptions: Options = {
  name: { type: 'string' },
  preset: { type: 'string' },
  cpus: { type: 'string' },
  memory: { type: 'string' },
  firmware: { type: 'string' },
  accel: { type: 'string' },
  arch: { type: 'string' },
  iso: { type: 'string' },
  kernel: { type: 'string' },
  initrd: { type: 'string' },
  append: { type: 'string' },
  display: { type: 'string' },
  network: { type: 'string' },
  forward: { type: 'string', multiple: true },
  notes: { type: 'string' },
  'keyboard-layout': { type: 'string' },
};

// How long the CLI waits for stop beyond the guest's own time-out (the forced kill and QMP).
const STOP_MARGIN_MS = 60_000;
const DEFAULT_STOP_TIMEOUT_MS = 60_000;

// Resolves what a person typed (an id, a unique name, or a unique id prefix) to one VM.
export async function findVm(api: HelperApi, ref: string | undefined): Promise<VmSummary> {
  if (!ref) throw new OpenUtmError('BAD_REQUEST', 'name the VM (its name or id); `openutm list` shows them');
  const all = await api.call('vm.list', {});
  const exact = all.filter((v) => v.config.id === ref || v.config.name === ref);
  const matches = exact.length > 0 ? exact : all.filter((v) => v.config.id.startsWith(ref));
  if (matches.length === 1) return matches[0]!;
  if (matches.length === 0) throw new OpenUtmError('NOT_FOUND', `no VM is called ${JSON.stringify(ref)}; \`openutm list\` shows them`);
  throw new OpenUtmError('CONFLICT', `${JSON.stringify(ref)} matches ${matches.length} VMs; use the id: ${matches.map((m) => m.config.id).join(', ')}`);
}

// The helper runs elsewhere (another working directory), so file paths go to it absolute.
function hostPath(cwd: string, p: string): string {
  return path.resolve(cwd, p);
}

type SharedSettings = Omit<VmEditRequest, 'preset' | 'disks' | 'removable' | 'media'>;

// The settings shared by create and edit, read from flags; zod validates them afterwards.
function settingsFromFlags(values: Values, cwd: string): SharedSettings {
  const memory = str(values, 'memory');
  const kernel = str(values, 'kernel');
  const initrd = str(values, 'initrd');
  const network = str(values, 'network');
  const forwards = (values.forward as string[] | undefined)?.map(parsePortForward);
  const system = {
    ...(int(values, 'cpus') !== undefined && { cpus: int(values, 'cpus') }),
    ...(memory !== undefined && { memoryMiB: parseSizeMiB(memory, '--memory') }),
    ...(str(values, 'firmware') && { firmware: str(values, 'firmware') }),
    ...(str(values, 'accel') && { accelerator: str(values, 'accel') }),
    ...(str(values, 'arch') && { architecture: str(values, 'arch') }),
  } as SharedSettings['system'];
  const layout = str(values, 'keyboard-layout');
  if (layout !== undefined && !KeyboardLayout.safeParse(layout).success) {
    throw new OpenUtmError('BAD_REQUEST', `--keyboard-layout is one of ${KeyboardLayout.options.join(', ')}, not ${JSON.stringify(layout)}`);
  }
  return {
    ...(layout !== undefined && { keyboardLayout: layout as KeyboardLayout }),
    ...(str(values, 'name') !== undefined && { name: str(values, 'name') }),
    ...(str(values, 'notes') !== undefined && { notes: str(values, 'notes') }),
    ...(Object.keys(system ?? {}).length > 0 && { system }),
    ...(kernel !== undefined && {
      linuxBoot:
        kernel === 'none'
          ? null
          : { kernel: hostPath(cwd, kernel), initrd: initrd === undefined ? null : hostPath(cwd, initrd), cmdline: str(values, 'append') ?? '' },
    }),
    ...(str(values, 'display') && { display: { type: str(values, 'display') } as SharedSettings['display'] }),
    ...((network !== undefined || forwards) && {
      network: {
        ...(network !== undefined && { mode: network as 'user' | 'none' }),
        ...(forwards && { portForwards: forwards }),
      },
    }),
  };
}

type LifecycleMethod = Extract<MethodName, 'vm.pause' | 'vm.resume' | 'vm.reset' | 'vm.kill' | 'vm.start' | 'vm.suspend'>;

// A command that names one VM and asks the helper to change its state. With `progress`, the
// request reports a job (saving or restoring a VM's memory), shown on stderr under that name.
const lifecycle = (summary: string, method: LifecycleMethod, progress?: string): Command => ({
  summary,
  usage: '<vm>',
  options: {},
  async run(ctx, { positionals, json }) {
    const api = await ctx.api();
    const vm = await findVm(api, positionals[0]);
    const status: VmStatus =
      progress === undefined
        ? await api.call(method, { id: vm.config.id })
        : await withJob(api, ctx.err, progress, (job) => api.call(method, { id: vm.config.id, job }, { timeoutMs: 30 * 60_000 }));
    print(ctx, json, status, () => formatStatus(status));
  },
});

// The VM commands, each one or two API calls.
export const VM_COMMANDS: Record<string, Command> = {
  list: {
    summary: 'list the VMs and their state',
    usage: '',
    options: {},
    async run(ctx, { json }) {
      const vms = await (await ctx.api()).call('vm.list', {});
      // The helper lists in code-point order to stay small; a person reads their own locale's
      // order (--json stays the helper's answer).
      const collator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });
      print(ctx, json, vms, () => formatList([...vms].sort((a, b) => collator.compare(a.config.name, b.config.name))));
    },
  },
  show: {
    summary: 'show one VM: settings, state, and why it crashed',
    usage: '<vm>',
    options: {},
    async run(ctx, { positionals, json }) {
      const api = await ctx.api();
      const vm = await findVm(api, positionals[0]);
      // The real sizes are a bonus: without qemu-img (or from an older helper) show still works.
      const diskUsage = vm.config.disks.length === 0 ? [] : await api.call('vm.disks', { id: vm.config.id }).catch(() => []);
      print(ctx, json, { ...vm, diskUsage }, () => formatShow(vm, diskUsage));
    },
  },
  create: {
    summary: 'create a VM from an OS preset',
    usage: `--name NAME [--preset ${OsPreset.options.join('|')}] [--iso PATH] [--disk SIZE|none] [--memory SIZE] [--cpus N] [--kernel PATH --initrd PATH --append ARGS] [--forward tcp:2222:22] …`,
    options: { ...configOptions, disk: { type: 'string', multiple: true } },
    async run(ctx, { values, json }) {
      const name = str(values, 'name');
      if (!name) throw new OpenUtmError('BAD_REQUEST', 'a new VM needs --name');
      const iso = str(values, 'iso');
      const disks = values.disk as string[] | undefined;
      const request: VmCreateRequest = {
        ...settingsFromFlags(values, ctx.cwd),
        name,
        preset: (str(values, 'preset') ?? 'other') as VmCreateRequest['preset'],
        iso: iso === undefined ? null : hostPath(ctx.cwd, iso),
        ...(disks && {
          disks: disks.filter((d) => d !== 'none').map((d) => ({ sizeMiB: parseSizeMiB(d, '--disk'), format: 'qcow2' as const })),
        }),
      };
      const vm = await (await ctx.api()).call('vm.create', request, { timeoutMs: 10 * 60_000 });
      print(ctx, json, vm, () => `created ${vm.config.name} (${vm.config.id})\n${formatShow(vm)}`);
    },
  },
  edit: {
    summary: 'change a VM’s settings (most need it shut down; --iso and --keyboard-layout work while it runs)',
    usage: `<vm> [--name NAME] [--preset PRESET] [--memory SIZE] [--cpus N] [--iso PATH|none] [--notes TEXT] [--keyboard-layout us|uk|de|fr] ${DRIVE_USAGE} …`,
    options: { ...configOptions, ...driveOptions },
    async run(ctx, { values, positionals, json }) {
      const settings = settingsFromFlags(values, ctx.cwd);
      const preset = str(values, 'preset');
      const disks = diskEditsFromFlags(values, ctx.cwd);
      const removable = removableEditsFromFlags(values);
      const api = await ctx.api();
      const vm = await findVm(api, positionals[0]);
      const iso = str(values, 'iso');
      const drive = vm.config.removable[0]?.id;
      if (iso !== undefined && drive === undefined) throw new OpenUtmError('CONFLICT', `${vm.config.name} has no CD drive to put ${iso} in`);
      const changes: VmEditRequest = {
        ...settings,
        ...(preset !== undefined && { preset: preset as VmEditRequest['preset'] }),
        ...(disks && { disks }),
        ...(removable && { removable }),
        ...(iso !== undefined && drive !== undefined && { media: { [drive]: iso === 'none' ? null : hostPath(ctx.cwd, iso) } }),
      };
      // Creating or growing a big raw image can take a while on slow disks; an import copies a
      // whole image, so its progress is shown on stderr.
      const progress = disks?.import ? followJob(api, ctx.err, 'import') : null;
      try {
        const next = await api.call('vm.edit', { id: vm.config.id, changes, ...(progress && { job: progress.job }) }, { timeoutMs: 30 * 60_000 });
        print(ctx, json, next, () => formatShow(next));
      } finally {
        progress?.stop();
      }
    },
  },
  suspend: lifecycle('save a running VM’s whole state to its folder and end it; `start` resumes it', 'vm.suspend', 'suspend'),
  'discard-state': {
    summary: 'throw away a suspended VM’s saved state (what ran in it is lost); it boots afresh next time',
    usage: '<vm> [--yes]',
    options: { yes: { type: 'boolean' } },
    async run(ctx, { values, positionals, json }) {
      const api = await ctx.api();
      const vm = await findVm(api, positionals[0]);
      if (values.yes !== true) {
        const typed = await ctx.confirm(`This throws away what runs in "${vm.config.name}" since it was suspended. Type its name to confirm: `);
        if (typed !== vm.config.name) throw new OpenUtmError('CONFLICT', 'the name typed does not match; the saved state is kept');
      }
      const status = await api.call('vm.discardState', { id: vm.config.id });
      print(ctx, json, status, () => formatStatus(status));
    },
  },
  pause: lifecycle('pause a running VM', 'vm.pause'),
  resume: lifecycle('resume a paused VM', 'vm.resume'),
  reset: lifecycle('reset a VM (like the reset button)', 'vm.reset'),
  kill: lifecycle('force a VM off at once', 'vm.kill'),
  stop: {
    summary: 'shut a VM down with the ACPI power button; --force ends it at once',
    usage: '<vm> [--force] [--timeout SECONDS]',
    options: { force: { type: 'boolean' }, timeout: { type: 'string' } },
    async run(ctx, { values, positionals, json }) {
      const seconds = int(values, 'timeout');
      const api = await ctx.api();
      const vm = await findVm(api, positionals[0]);
      const timeoutMs = seconds === undefined ? undefined : seconds * 1000;
      const status = await api.call(
        'vm.stop',
        { id: vm.config.id, force: values.force === true, ...(timeoutMs !== undefined && { timeoutMs }) },
        { timeoutMs: (timeoutMs ?? DEFAULT_STOP_TIMEOUT_MS) + STOP_MARGIN_MS },
      );
      print(ctx, json, status, () => formatStatus(status));
    },
  },
  clone: {
    summary: 'copy a shut-down VM with its disks',
    usage: '<vm> [--name NAME]',
    options: { name: { type: 'string' } },
    async run(ctx, { values, positionals, json }) {
      const api = await ctx.api();
      const vm = await findVm(api, positionals[0]);
      const name = str(values, 'name');
      const copy = await withJob(api, ctx.err, 'clone', (job) => api.call('vm.clone', { id: vm.config.id, job, ...(name !== undefined && { name }) }, { timeoutMs: 30 * 60_000 }));
      print(ctx, json, copy, () => `cloned into ${copy.config.name} (${copy.config.id})`);
    },
  },
  delete: {
    summary: 'delete a shut-down VM and its disks (asks for its name unless --yes)',
    usage: '<vm> [--yes]',
    options: { yes: { type: 'boolean' } },
    async run(ctx, { values, positionals, json }) {
      const api = await ctx.api();
      const vm = await findVm(api, positionals[0]);
      const typed =
        values.yes === true
          ? vm.config.name
          : await ctx.confirm(`This deletes "${vm.config.name}" and its disks for good. Type its name to confirm: `);
      const result = await api.call('vm.delete', { id: vm.config.id, confirmName: typed });
      print(ctx, json, result, () => `deleted ${vm.config.name} (${vm.config.id})`);
    },
  },
};
