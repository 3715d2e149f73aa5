import type { ParseArgsConfig } from 'node:util';
import {
  OpenUtmError,
  OsPreset,
  type VmCreateRequest,
  type VmEditRequest,
  type VmConfig,
  type VmStatus,
} from '@openutm/shared';
import type { VmEngine } from '../vm-service/vm-engine';
import { parsePortForward, parseSizeMiB } from './parse-units';
import { formatList, formatShow, formatStatus } from './format-output';

export interface CommandContext {
  engine: () => Promise<VmEngine>;
  out: (text: string) => void;
  confirm: (question: string) => Promise<string>;
}

type Options = NonNullable<ParseArgsConfig['options']>;
type Values = Record<string, string | boolean | string[] | undefined>;

export interface Command {
  summary: string;
  usage: string;
  options: Options;
  run(ctx: CommandContext, args: { values: Values; positionals: string[]; json: boolean }): Promise<unknown>;
}

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
};

// Resolves what a person typed (an id, a unique name, or a unique id prefix) to one VM.
async function findVm(engine: VmEngine, ref: string | undefined): Promise<{ config: VmConfig; status: VmStatus }> {
  if (!ref) throw new OpenUtmError('BAD_REQUEST', 'name the VM (its name or id); `openutm list` shows them');
  const all = await engine.list();
  const exact = all.filter((v) => v.config.id === ref || v.config.name === ref);
  const matches = exact.length > 0 ? exact : all.filter((v) => v.config.id.startsWith(ref));
  if (matches.length === 1) return matches[0]!;
  if (matches.length === 0) throw new OpenUtmError('NOT_FOUND', `no VM is called ${JSON.stringify(ref)}; \`openutm list\` shows them`);
  throw new OpenUtmError('CONFLICT', `${JSON.stringify(ref)} matches ${matches.length} VMs; use the id: ${matches.map((m) => m.config.id).join(', ')}`);
}

function str(values: Values, key: string): string | undefined {
  const v = values[key];
  return typeof v === 'string' ? v : undefined;
}

function int(values: Values, key: string): number | undefined {
  const v = str(values, key);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new OpenUtmError('BAD_REQUEST', `--${key} takes a whole number, got ${JSON.stringify(v)}`);
  return n;
}

// The settings shared by create and edit, read from flags; zod validates them afterwards.
function settingsFromFlags(values: Values): VmEditRequest {
  const memory = str(values, 'memory');
  const kernel = str(values, 'kernel');
  const network = str(values, 'network');
  const forwards = (values.forward as string[] | undefined)?.map(parsePortForward);
  const system = {
    ...(int(values, 'cpus') !== undefined && { cpus: int(values, 'cpus') }),
    ...(memory !== undefined && { memoryMiB: parseSizeMiB(memory, '--memory') }),
    ...(str(values, 'firmware') && { firmware: str(values, 'firmware') }),
    ...(str(values, 'accel') && { accelerator: str(values, 'accel') }),
    ...(str(values, 'arch') && { architecture: str(values, 'arch') }),
  } as VmEditRequest['system'];
  return {
    ...(str(values, 'name') !== undefined && { name: str(values, 'name') }),
    ...(str(values, 'notes') !== undefined && { notes: str(values, 'notes') }),
    ...(Object.keys(system ?? {}).length > 0 && { system }),
    ...(kernel !== undefined && {
      linuxBoot: kernel === 'none' ? null : { kernel, initrd: str(values, 'initrd') ?? null, cmdline: str(values, 'append') ?? '' },
    }),
    ...(str(values, 'display') && { display: { type: str(values, 'display') } as VmEditRequest['display'] }),
    ...((network !== undefined || forwards) && {
      network: {
        ...(network !== undefined && { mode: network as 'user' | 'none' }),
        ...(forwards && { portForwards: forwards }),
      },
    }),
  };
}

const vmArg = (summary: string, run: (engine: VmEngine, id: string) => Promise<VmStatus>): Command => ({
  summary,
  usage: '<vm>',
  options: {},
  async run(ctx, { positionals, json }) {
    const engine = await ctx.engine();
    const vm = await findVm(engine, positionals[0]);
    const status = await run(engine, vm.config.id);
    ctx.out(json ? JSON.stringify(status, null, 2) : formatStatus(status));
    return status;
  },
});

// Every CLI command: what it does, its flags, and how it runs against the engine.
export const COMMANDS: Record<string, Command> = {
  list: {
    summary: 'list the VMs and their state',
    usage: '',
    options: {},
    async run(ctx, { json }) {
      const vms = await (await ctx.engine()).list();
      ctx.out(json ? JSON.stringify(vms, null, 2) : formatList(vms));
      return vms;
    },
  },
  show: {
    summary: 'show one VM: settings, state, and why it crashed',
    usage: '<vm>',
    options: {},
    async run(ctx, { positionals, json }) {
      const vm = await findVm(await ctx.engine(), positionals[0]);
      ctx.out(json ? JSON.stringify(vm, null, 2) : formatShow(vm));
      return vm;
    },
  },
  create: {
    summary: 'create a VM from an OS preset',
    usage: `--name NAME [--preset ${OsPreset.options.join('|')}] [--iso PATH] [--disk SIZE|none] [--memory SIZE] [--cpus N] [--kernel PATH --initrd PATH --append ARGS] [--forward tcp:2222:22] …`,
    options: { ...configOptions, disk: { type: 'string', multiple: true } },
    async run(ctx, { values, json }) {
      const name = str(values, 'name');
      if (!name) throw new OpenUtmError('BAD_REQUEST', 'a new VM needs --name');
      const settings = settingsFromFlags(values);
      const disks = values.disk as string[] | undefined;
      const request: VmCreateRequest = {
        ...settings,
        name,
        preset: (str(values, 'preset') ?? 'other') as VmCreateRequest['preset'],
        iso: str(values, 'iso') ?? null,
        ...(disks && {
          disks: disks.filter((d) => d !== 'none').map((d) => ({ sizeMiB: parseSizeMiB(d, '--disk'), format: 'qcow2' as const })),
        }),
      };
      const vm = await (await ctx.engine()).create(request);
      ctx.out(json ? JSON.stringify(vm, null, 2) : `created ${vm.config.name} (${vm.config.id})\n${formatShow(vm)}`);
      return vm;
    },
  },
  edit: {
    summary: 'change a VM’s settings (most need it shut down; --iso works while it runs)',
    usage: '<vm> [--name NAME] [--memory SIZE] [--cpus N] [--iso PATH|none] [--notes TEXT] …',
    options: configOptions,
    async run(ctx, { values, positionals, json }) {
      const engine = await ctx.engine();
      const vm = await findVm(engine, positionals[0]);
      const iso = str(values, 'iso');
      const drive = vm.config.removable[0]?.id;
      const changes: VmEditRequest = {
        ...settingsFromFlags(values),
        ...(iso !== undefined && drive !== undefined && { media: { [drive]: iso === 'none' ? null : iso } }),
      };
      const next = await engine.edit(vm.config.id, changes);
      ctx.out(json ? JSON.stringify(next, null, 2) : formatShow(next));
      return next;
    },
  },
  start: vmArg('start a VM', (e, id) => e.start(id)),
  pause: vmArg('pause a running VM', (e, id) => e.pause(id)),
  resume: vmArg('resume a paused VM', (e, id) => e.resume(id)),
  reset: vmArg('reset a VM (like the reset button)', (e, id) => e.reset(id)),
  kill: vmArg('force a VM off at once', (e, id) => e.kill(id)),
  stop: {
    summary: 'shut a VM down with the ACPI power button; --force ends it at once',
    usage: '<vm> [--force] [--timeout SECONDS]',
    options: { force: { type: 'boolean' }, timeout: { type: 'string' } },
    async run(ctx, { values, positionals, json }) {
      const engine = await ctx.engine();
      const vm = await findVm(engine, positionals[0]);
      const seconds = int(values, 'timeout');
      const status = await engine.stop(vm.config.id, {
        force: values.force === true,
        ...(seconds !== undefined && { timeoutMs: seconds * 1000 }),
      });
      ctx.out(json ? JSON.stringify(status, null, 2) : formatStatus(status));
      return status;
    },
  },
  clone: {
    summary: 'copy a shut-down VM with its disks',
    usage: '<vm> [--name NAME]',
    options: { name: { type: 'string' } },
    async run(ctx, { values, positionals, json }) {
      const engine = await ctx.engine();
      const vm = await findVm(engine, positionals[0]);
      const copy = await engine.clone(vm.config.id, str(values, 'name'));
      ctx.out(json ? JSON.stringify(copy, null, 2) : `cloned into ${copy.config.name} (${copy.config.id})`);
      return copy;
    },
  },
  delete: {
    summary: 'delete a shut-down VM and its disks (asks for its name unless --yes)',
    usage: '<vm> [--yes]',
    options: { yes: { type: 'boolean' } },
    async run(ctx, { values, positionals, json }) {
      const engine = await ctx.engine();
      const vm = await findVm(engine, positionals[0]);
      const typed =
        values.yes === true
          ? vm.config.name
          : await ctx.confirm(`This deletes "${vm.config.name}" and its disks for good. Type its name to confirm: `);
      await engine.delete(vm.config.id, typed);
      const result = { id: vm.config.id };
      ctx.out(json ? JSON.stringify(result) : `deleted ${vm.config.name} (${vm.config.id})`);
      return result;
    },
  },
};
