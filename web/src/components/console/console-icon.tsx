// A screen with a prompt: the library card's "open console" action (24×24, currentColor).
export const ConsoleIcon = () => (
  <svg aria-hidden viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth={2} strokeLinecap="round" strokeLinejoin="round" className="size-[18px]">
    <rect x="3" y="4" width="18" height="14" rx="2" />
    <path d="m7 9 3 2-3 2M12 14h4M9 21h6" />
  </svg>
);

// Where a VM's console lives (a query, not a path segment: the export is static).
export function consoleHref(vmId: string): string {
  return `/console?vm=${encodeURIComponent(vmId)}`;
}
