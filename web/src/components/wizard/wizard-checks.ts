import { VmCreateRequest, type HostFacts } from '@openutm/shared';
import type { ZodIssue } from 'zod';
import { duplicateForwards } from '../form/port-forward-draft';
import { draftToRequest, type WizardDraft } from './wizard-draft';

// The wizard's steps, in order; each owns some fields of the draft.
export const STEPS = [
  { id: 'os', label: 'Operating system' },
  { id: 'media', label: 'Install disc' },
  { id: 'hardware', label: 'CPU & memory' },
  { id: 'disk', label: 'Disk' },
  { id: 'devices', label: 'Network & display' },
  { id: 'summary', label: 'Summary' },
] as const;
export type StepId = (typeof STEPS)[number]['id'];

// A field key: a draft field, or `portForwards.<i>.<field>` for one port-forward row.
export type FieldKey = string;
export type FieldErrors = Readonly<Record<FieldKey, string>>;

// Which step shows a field, by the field key's first part.
const FIELD_STEP: Record<string, StepId> = {
  name: 'os',
  preset: 'os',
  isoPath: 'media',
  architecture: 'hardware',
  accelerator: 'hardware',
  cpus: 'hardware',
  memoryMiB: 'hardware',
  firmware: 'hardware',
  tpm: 'hardware',
  secureBoot: 'hardware',
  diskSizeGiB: 'disk',
  diskInterface: 'disk',
  diskFormat: 'disk',
  networkMode: 'devices',
  nic: 'devices',
  portForwards: 'devices',
  displayType: 'devices',
  displayDevice: 'devices',
};

export function stepOfField(key: FieldKey): StepId {
  return FIELD_STEP[key.split('.')[0]!] ?? 'summary';
}

// A schema issue's path in the request → the draft field that holds it.
function fieldOfIssue(issue: ZodIssue): FieldKey {
  const [head, second, third, fourth] = issue.path.map(String);
  if (head === 'iso') return 'isoPath';
  if (head === 'system' && second) return second;
  if (head === 'disks') return third === 'interface' ? 'diskInterface' : third === 'format' ? 'diskFormat' : 'diskSizeGiB';
  if (head === 'network' && second === 'portForwards' && third !== undefined && fourth) return `portForwards.${third}.${fourth}`;
  if (head === 'network' && second === 'mode') return 'networkMode';
  if (head === 'network' && second) return second;
  if (head === 'display' && second === 'type') return 'displayType';
  if (head === 'display') return 'displayDevice';
  return head ?? 'name';
}

// NaN means the text was not a whole number; say that instead of zod's "received nan".
function messageOf(issue: ZodIssue): string {
  if (issue.code === 'invalid_type' && issue.received === 'nan') return 'enter a whole number';
  return issue.message;
}

// Every problem with the draft as shared's schema sees it, plus the rules the schema cannot
// know (a path must be absolute; two forwards cannot share a host port; memory the host has).
export function draftErrors(draft: WizardDraft, facts: HostFacts | null): FieldErrors {
  const errors: Record<FieldKey, string> = {};
  const parsed = VmCreateRequest.safeParse(draftToRequest(draft));
  if (!parsed.success) {
    for (const issue of parsed.error.issues) errors[fieldOfIssue(issue)] ??= messageOf(issue);
  }
  const iso = draft.isoPath.trim();
  if (iso !== '' && !errors.isoPath && !/^(\/|[A-Za-z]:[\\/]|\\\\)/.test(iso)) {
    errors.isoPath = 'type the full path, starting with / (or a drive letter on Windows)';
  }
  for (const [row, message] of duplicateForwards(draft.portForwards)) errors[`portForwards.${row}.hostPort`] ??= message;
  const memory = Number(draft.memoryMiB);
  if (facts !== null && !errors.memoryMiB && memory > facts.memoryMiB) {
    errors.memoryMiB = `this computer has ${facts.memoryMiB} MiB of memory; give the VM less`;
  }
  return errors;
}

// The errors of one step (Next stays on the step while there are any).
export function stepErrors(step: StepId, errors: FieldErrors): FieldErrors {
  return Object.fromEntries(Object.entries(errors).filter(([key]) => stepOfField(key) === step));
}

// A choice that works but will be slow, or will not work on this host until something changes.
export interface HostWarning {
  field: FieldKey;
  kind: 'slow' | 'broken';
  text: string;
}

// What the host facts say about the draft; the person may still go ahead.
export function hostWarnings(draft: WizardDraft, facts: HostFacts | null): HostWarning[] {
  if (facts === null) return [];
  const warnings: HostWarning[] = [];
  const native = facts.arch === 'arm64' ? 'aarch64' : 'x86_64';
  const qemu = facts.qemu.find((q) => q.architecture === draft.architecture);
  if (!qemu) {
    warnings.push({ field: 'architecture', kind: 'broken', text: `qemu-system-${draft.architecture} is not installed, so this VM cannot start; \`openutm doctor\` says how to install it` });
  } else if (draft.architecture !== native) {
    warnings.push({ field: 'architecture', kind: 'slow', text: `this computer is ${native}: a ${draft.architecture} guest is emulated instruction by instruction and runs 10–50× slower` });
  }
  const hardware = facts.accelerators.filter((a) => a !== 'tcg');
  // The helper's probe boot of the hardware accelerator, when it failed: the VM gets the same words.
  const failedProbe = facts.acceleratorProbe?.ok === false ? facts.acceleratorProbe : undefined;
  const probeFailure = failedProbe ? `${failedProbe.accelerator.toUpperCase()} is present but failed its probe boot (${failedProbe.reason ?? 'no reason given'})` : null;
  if (draft.accelerator === 'tcg') {
    warnings.push({ field: 'accelerator', kind: 'slow', text: 'TCG emulates the CPU in software: expect the guest to be many times slower' });
  } else if (draft.accelerator !== 'auto' && !facts.accelerators.includes(draft.accelerator)) {
    const why = failedProbe?.accelerator === draft.accelerator ? `: ${probeFailure}` : '';
    warnings.push({ field: 'accelerator', kind: 'broken', text: `${draft.accelerator.toUpperCase()} is not available on this computer (available: ${facts.accelerators.join(', ')})${why}` });
  } else if (draft.accelerator === 'auto' && hardware.length === 0 && draft.architecture === native && probeFailure) {
    warnings.push({ field: 'accelerator', kind: 'slow', text: `${probeFailure}, so the VM is emulated (TCG) and slow` });
  } else if (draft.accelerator === 'auto' && hardware.length === 0 && draft.architecture === native) {
    const why = facts.problems.find((p) => /KVM|HVF|WHPX|accelerat/i.test(p.what));
    warnings.push({ field: 'accelerator', kind: 'slow', text: `no hardware acceleration here, so the VM is emulated (TCG) and slow${why ? `: ${why.fix}` : ''}` });
  }
  const firmware = facts.firmware.filter((f) => f.architecture === draft.architecture);
  if (draft.firmware === 'uefi' && firmware.length === 0) {
    warnings.push({ field: 'firmware', kind: 'broken', text: 'UEFI needs OVMF (edk2) firmware, which is not installed: install the ovmf package or choose BIOS' });
  }
  if (draft.firmware === 'uefi' && draft.secureBoot && firmware.length > 0 && !firmware.some((f) => f.secureBoot)) {
    warnings.push({ field: 'secureBoot', kind: 'broken', text: 'no Secure Boot build of OVMF is installed; turn Secure Boot off or install one' });
  }
  if (draft.tpm && facts.swtpm === null) {
    const fix = facts.problems.find((p) => /swtpm/.test(p.what))?.fix;
    const needs = draft.preset === 'windows-11' ? 'Windows 11 will not install without a TPM 2.0, and ' : '';
    warnings.push({ field: 'tpm', kind: 'broken', text: `${needs}the emulated TPM needs swtpm, which is not installed${fix ? `: ${fix}` : ''}` });
  }
  if (draft.preset === 'windows-11' && !draft.tpm) {
    warnings.push({ field: 'tpm', kind: 'broken', text: 'Windows 11 refuses to install without a TPM 2.0: turn the TPM on' });
  }
  const cpus = Number(draft.cpus);
  if (Number.isInteger(cpus) && cpus > facts.cpus) {
    warnings.push({ field: 'cpus', kind: 'slow', text: `this computer has ${facts.cpus} CPUs; more virtual CPUs than that only adds overhead` });
  }
  const memory = Number(draft.memoryMiB);
  if (Number.isInteger(memory) && memory <= facts.memoryMiB && memory > facts.memoryMiB * 0.75) {
    warnings.push({ field: 'memoryMiB', kind: 'slow', text: `that is more than three quarters of this computer's ${facts.memoryMiB} MiB; the host may start swapping` });
  }
  if (draft.displayType === 'spice' && qemu && !qemu.spice) {
    warnings.push({ field: 'displayType', kind: 'slow', text: 'this QEMU has no SPICE; the console will use VNC instead' });
  }
  return warnings;
}
