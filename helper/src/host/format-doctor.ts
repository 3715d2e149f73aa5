import { Architecture, type HostFacts, type Problem } from '@openutm/shared';
import { envValue, type Env } from './host-platform';

export interface FormatOptions {
  // Where OPENUTM_ACCEL / OPENUTM_QEMU are read from, to show overrides. Default process.env.
  env?: Env;
}

const OVERRIDES = ['OPENUTM_QEMU', 'OPENUTM_ACCEL'] as const;

// The machine type the argument builder picks by default, worth confirming per binary.
const DEFAULT_MACHINE: Record<Architecture, string> = { x86_64: 'q35', aarch64: 'virt' };

// `openutm doctor` as people read it: what was found, where, what it can do, then each problem
// with its fix. Plain text, columns aligned, no colour (it is also pasted into bug reports).
export function formatDoctor(facts: HostFacts, options: FormatOptions = {}): string {
  const env = options.env ?? process.env;
  const gib = (facts.memoryMiB / 1024).toFixed(1);
  const sections = [
    [`OpenUTM doctor · ${facts.os} ${facts.arch} · ${facts.cpus} CPUs · ${gib} GiB memory`],
    qemuSection(facts),
    section('Programs', [
      row('qemu-img', facts.qemuImg ?? 'not found'),
      row('swtpm', facts.swtpm === null ? 'not found' : [facts.swtpmVersion, facts.swtpm].filter(Boolean).join('  ')),
    ]),
    section('Accelerators', [row(facts.accelerators.join(', '), acceleratorNote(facts)), ...probeRows(facts)]),
    firmwareSection(facts),
    overridesSection(facts, env),
    problemsSection(facts.problems),
  ];
  return sections
    .filter((s) => s.length > 0)
    .map((s) => s.join('\n'))
    .join('\n\n');
}

// The probe boot's verdict: whether the hardware accelerator really ran a guest, and if not, why.
function probeRows(facts: HostFacts): string[] {
  const p = facts.acceleratorProbe;
  if (!p) return [];
  const verdict = p.ok ? 'ran the probe guest' : `failed the probe guest: ${p.reason ?? 'no reason given'}`;
  return [row('', `${p.accelerator} probe (CPU ${p.cpuModel}): ${verdict}${p.cached ? ' (checked earlier this boot)' : ''}`)];
}

function qemuSection(facts: HostFacts): string[] {
  const lines = Architecture.options.flatMap((arch) => {
    const q = facts.qemu.find((b) => b.architecture === arch);
    if (!q) return [row(arch, 'not found')];
    const machine = DEFAULT_MACHINE[arch];
    const details = [
      `accelerators ${q.accelerators.join(', ') || 'none listed'}`,
      `SPICE ${q.spice ? 'yes' : 'no'}`,
      // QEMU's vdagent: the clipboard of VNC consoles. Facts from older helpers do not say.
      ...(q.vdagent === undefined ? [] : [`VNC clipboard ${q.vdagent ? 'yes' : 'no'}`]),
      `sandbox ${q.sandbox ? 'yes' : 'no'}`,
      `${q.machines.length} machines${q.machines.includes(machine) ? ` incl. ${machine}` : `, no ${machine}`}`,
    ];
    return [row(arch, `${q.version.padEnd(8)} ${q.path}`), row('', details.join(' · '))];
  });
  return section('QEMU', lines);
}

function acceleratorNote(facts: HostFacts): string {
  const notes = ['best first'];
  if (facts.os === 'win32' && facts.accelerators.includes('whpx') && !facts.acceleratorProbe) {
    notes.push('whpx is listed by QEMU but needs the Windows Hypervisor Platform feature; only starting a VM proves it');
  }
  if (facts.accelerators.length === 1) notes.push('no hardware acceleration: see the problems below');
  return `(${notes.join('; ')})`;
}

function firmwareSection(facts: HostFacts): string[] {
  if (facts.firmware.length === 0) return section('Firmware', [row('none', 'no UEFI firmware found')]);
  const lines = facts.firmware.flatMap((f) => [
    `  ${f.architecture.padEnd(8)} ${(f.secureBoot ? 'Secure Boot' : 'UEFI').padEnd(12)} code ${f.code}`,
    `  ${''.padEnd(8)} ${''.padEnd(12)} vars ${f.vars}`,
  ]);
  return section('Firmware', lines);
}

function overridesSection(facts: HostFacts, env: Env): string[] {
  const set = OVERRIDES.map((name) => [name, envValue(env, name, facts.os)?.trim()] as const).filter(([, v]) => v);
  if (set.length === 0) return [];
  const width = Math.max(...set.map(([n]) => n.length));
  return section(
    'Overrides',
    set.map(([name, value]) => `  ${name.padEnd(width)}  ${value}`),
  );
}

function problemsSection(problems: readonly Problem[]): string[] {
  if (problems.length === 0) return ['No problems found.'];
  const errors = problems.filter((p) => p.severity === 'error').length;
  const warnings = problems.length - errors;
  const count = [errors && plural(errors, 'error'), warnings && plural(warnings, 'warning')].filter(Boolean).join(', ');
  // Errors first: they are what stops VMs from running at all.
  const ordered = [...problems].sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1));
  return section(
    `Problems (${count})`,
    ordered.flatMap((p) => [`  ${p.severity.padEnd(8)} ${p.what}`, `  ${''.padEnd(8)} fix: ${p.fix}`]),
  );
}

function section(title: string, lines: string[]): string[] {
  return [title, ...lines];
}

function row(label: string, value: string): string {
  return `  ${label.padEnd(9)} ${value}`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
