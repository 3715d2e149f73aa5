import { z } from 'zod';
import { VmConfig, VmId, VmName } from '../vm-config/schema';
import { VmCreateRequest, VmEditRequest } from '../vm-config/requests';
import { VmStatus } from '../vm-state/states';
import { HostFacts } from '../host/host-facts';

const ById = z.object({ id: VmId });

export const VmSummary = z.object({ config: VmConfig, status: VmStatus });
export type VmSummary = z.infer<typeof VmSummary>;

// Every method the helper serves: its params and result. The CLI, the UI and the server all
// read this one table, so a method cannot exist on one side only.
export const METHODS = {
  'host.doctor': { params: z.object({}).optional(), result: HostFacts },
  'vm.list': { params: z.object({}).optional(), result: z.array(VmSummary) },
  'vm.get': { params: ById, result: VmSummary },
  'vm.create': { params: VmCreateRequest, result: VmSummary },
  'vm.edit': { params: ById.extend({ changes: VmEditRequest }), result: VmSummary },
  'vm.start': { params: ById, result: VmStatus },
  'vm.stop': {
    params: ById.extend({
      force: z.boolean().default(false),
      // How long the guest gets to power off after the ACPI button before it is forced.
      timeoutMs: z.number().int().min(0).max(3_600_000).default(60_000),
    }),
    result: VmStatus,
  },
  'vm.pause': { params: ById, result: VmStatus },
  'vm.resume': { params: ById, result: VmStatus },
  'vm.reset': { params: ById, result: VmStatus },
  'vm.kill': { params: ById, result: VmStatus },
  // Deleting removes the VM's folder with its disks, so it needs the VM's name typed back.
  'vm.delete': { params: ById.extend({ confirmName: z.string() }), result: z.object({ id: VmId }) },
  'vm.clone': { params: ById.extend({ name: VmName.optional() }), result: VmSummary },
  'vm.status': { params: ById, result: VmStatus },
} as const;
export type MethodName = keyof typeof METHODS;
export type MethodParams<M extends MethodName> = z.input<(typeof METHODS)[M]['params']>;
export type MethodResult<M extends MethodName> = z.infer<(typeof METHODS)[M]['result']>;

// Events are notifications that something changed; clients re-read what they need.
export const EVENTS = {
  'vm.state': VmStatus,
  'vm.changed': z.object({ id: VmId }),
  'vm.removed': z.object({ id: VmId }),
  'job.progress': z.object({ job: z.string(), vm: VmId.optional(), done: z.number(), total: z.number(), label: z.string() }),
} as const;
export type EventName = keyof typeof EVENTS;
