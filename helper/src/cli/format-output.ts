import type { VmConfig, VmStatus } from '@openutm/shared';

// Plain aligned columns: readable in any terminal and easy to grep.
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

export function formatList(vms: Array<{ config: VmConfig; status: VmStatus }>): string {
  if (vms.length === 0) return 'No VMs yet. Create one with `openutm create --name NAME --preset linux-desktop --iso PATH`.';
  return table(
    ['ID', 'NAME', 'STATE', 'PRESET', 'CPUS', 'MEMORY'],
    vms.map(({ config, status }) => [
      config.id,
      config.name,
      status.state,
      config.preset,
      String(config.system.cpus),
      `${config.system.memoryMiB} MiB`,
    ]),
  );
}

export function formatShow({ config, status }: { config: VmConfig; status: VmStatus }): string {
  const s = config.system;
  const lines = [
    `${config.name}  (${config.id})`,
    `  state      ${status.state} since ${status.since}${status.pid ? `, pid ${status.pid}` : ''}`,
    `  preset     ${config.preset}`,
    `  system     ${s.architecture} ${s.machine} · ${s.cpus} CPU · ${s.memoryMiB} MiB · ${s.firmware}${s.tpm ? ' + TPM' : ''} · accel ${s.accelerator}`,
    ...config.disks.map((d) => `  disk       ${d.id}: ${d.file} (${d.format}, ${d.sizeMiB} MiB, ${d.interface})`),
    ...config.removable.map((d) => `  cd         ${d.id}: ${d.iso ?? '(empty)'} (${d.interface})`),
    config.linuxBoot ? `  kernel     ${config.linuxBoot.kernel} ${config.linuxBoot.cmdline}` : null,
    `  network    ${config.network.mode === 'none' ? 'none' : `${config.network.mode} (${config.network.nic})`}${config.network.portForwards.map((p) => ` ${p.protocol}:${p.hostAddress}:${p.hostPort}→${p.guestPort}`).join('')}`,
    `  display    ${config.display.type} (${config.display.device})`,
    config.notes ? `  notes      ${config.notes}` : null,
  ];
  if (status.crash) {
    lines.push(`  crashed    ${status.crash.at}: ${status.crash.reason}`);
    lines.push(...status.crash.logTail.slice(-10).map((l) => `    │ ${l}`));
  }
  return lines.filter((l) => l !== null).join('\n');
}

export function formatStatus(status: VmStatus): string {
  return `${status.name} (${status.id}) is ${status.state}${status.pid ? ` (pid ${status.pid})` : ''}`;
}
