import type { DiskUsage, TokenInfo, VmConfig, VmStatus } from '@openutm/shared';
import { formatBytes } from '../disk-images/disk-space';
import { formatCode } from '../auth/pairing';
import { guestAgentLines } from './format-guest';

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
      status.tryMode ? `${status.state} (try${status.tryMode === 'pending' ? ': keep or discard' : ''})` : status.state,
      config.preset,
      String(config.system.cpus),
      `${config.system.memoryMiB} MiB`,
    ]),
  );
}

// usage: the disks' real sizes on the host (vm.disks), shown beside their virtual size.
export function formatShow({ config, status }: { config: VmConfig; status: VmStatus }, usage: DiskUsage[] = []): string {
  const s = config.system;
  const lines = [
    `${config.name}  (${config.id})`,
    `  state      ${status.state} since ${status.since}${status.pid ? `, pid ${status.pid}` : ''}`,
    `  preset     ${config.preset}`,
    `  system     ${s.architecture} ${s.machine} · ${s.cpus} CPU · ${s.memoryMiB} MiB · ${s.firmware}${s.tpm ? ' + TPM' : ''} · accel ${s.accelerator}`,
    ...config.disks.map((d) => `  disk       ${d.id}: ${d.file} (${d.format}, ${d.sizeMiB} MiB, ${d.interface}${d.readOnly ? ', read-only' : ''})${onHost(usage.find((u) => u.id === d.id))}`),
    ...config.detachedDisks.map((d) => `  detached   ${d.file} (${d.format}, ${d.sizeMiB} MiB; --attach-disk to use it, --discard-disk to delete it)`),
    ...config.removable.map((d) => `  cd         ${d.id}: ${d.iso ?? '(empty)'} (${d.interface})`),
    config.linuxBoot ? `  kernel     ${config.linuxBoot.kernel} ${config.linuxBoot.cmdline}` : null,
    `  network    ${config.network.mode === 'none' ? 'none' : `${config.network.mode} (${config.network.nic})`}${config.network.portForwards.map((p) => ` ${p.protocol}:${p.hostAddress}:${p.hostPort}→${p.guestPort}`).join('')}`,
    `  display    ${config.display.type} (${config.display.device})`,
    `  keyboard   ${config.keyboardLayout}`,
    config.notes ? `  notes      ${config.notes}` : null,
  ];
  lines.push(...tryLines(status), ...guestAgentLines(status.guestAgent), ...warningLines(status));
  if (status.crash) {
    lines.push(`  crashed    ${status.crash.at}: ${status.crash.reason}`);
    lines.push(...status.crash.logTail.slice(-10).map((l) => `    │ ${l}`));
  }
  return lines.filter((l) => l !== null).join('\n');
}

function onHost(u: DiskUsage | undefined): string {
  return u?.actualBytes == null ? '' : ` · ${formatBytes(u.actualBytes)} on the host`;
}

export function formatStatus(status: VmStatus): string {
  return [`${status.name} (${status.id}) is ${status.state}${status.pid ? ` (pid ${status.pid})` : ''}`, ...tryLines(status), ...warningLines(status)].join('\n');
}

// Try mode: what the disks are doing and what to run next.
function tryLines(status: VmStatus): string[] {
  if (status.tryMode === 'active') return ['  try        running on throwaway overlays; after it stops: `openutm try keep` or `openutm try discard`'];
  if (status.tryMode === 'pending') return ['  try        keep or discard the changes from your try: `openutm try keep` or `openutm try discard`'];
  return [];
}

// The running QEMU's compromises, one per line; none from a helper older than the field.
function warningLines(status: VmStatus): string[] {
  return (status.warnings ?? []).map((w) => `  warning    ${w}`);
}

// A timestamp as people scan it in a table: local date and minute.
export function shortTime(iso: string | null): string {
  if (iso === null) return 'never';
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

// "expired — pair again" for a dead token, else its expiry date; "—" from a helper without expiry.
export function expiryText(expiresAt: string | undefined, now: number): string {
  if (expiresAt === undefined) return '—';
  return Date.parse(expiresAt) <= now ? 'expired (run `openutm pair`)' : shortTime(expiresAt);
}

export function formatTokens(tokens: TokenInfo[], now: number = Date.now()): string {
  if (tokens.length === 0) return 'No browser or app is paired yet. Run `openutm pair` to pair one.';
  return table(
    ['ID', 'NAME', 'CREATED', 'LAST USED', 'EXPIRES'],
    tokens.map((t) => [t.id, t.name + (t.current ? ' (this client)' : ''), shortTime(t.createdAt), shortTime(t.lastUsedAt), expiryText(t.expiresAt, now)]),
  );
}

// What `openutm pair` tells the person: the code, where to use it, and for how long.
export function formatPairing(code: string, url: string, expiresAt: string, now: number): string {
  const minutes = Math.max(1, Math.round((Date.parse(expiresAt) - now) / 60_000));
  return [
    `Pairing code: ${formatCode(code)}`,
    '',
    `Open ${url}`,
    'in the browser you want to pair (or type the code into OpenUTM there).',
    `The code works once, for ${minutes} minute${minutes === 1 ? '' : 's'} (until ${shortTime(expiresAt).slice(11)}).`,
  ].join('\n');
}
