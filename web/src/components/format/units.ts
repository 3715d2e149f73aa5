// One unit system for the whole UI: binary units, named as such (MiB, GiB), so the memory a
// person types in MiB reads back in the same family everywhere else.

const MIB_PER_GIB = 1024;

// 512 → "512 MiB", 1024 → "1 GiB", 1536 → "1.5 GiB", 1100 → "1.07 GiB" (never rounds to a lie
// of "1 GiB" for a size that is not).
export function formatMiB(mib: number): string {
  if (!Number.isFinite(mib) || mib < 0) return '—';
  if (mib < MIB_PER_GIB) return `${Math.round(mib)} MiB`;
  const gib = mib / MIB_PER_GIB;
  return `${trimZeros(gib.toFixed(gib < 10 ? 2 : 1))} GiB`;
}

// "4.50" → "4.5", "4.00" → "4".
function trimZeros(fixed: string): string {
  return fixed.includes('.') ? fixed.replace(/0+$/, '').replace(/\.$/, '') : fixed;
}

// Bytes on the host (a disk image's real size): KiB below one MiB, then as formatMiB.
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  if (bytes < 1024 * 1024) return `${Math.ceil(bytes / 1024)} KiB`;
  return formatMiB(bytes / (1024 * 1024));
}
