// Captures the pointer in the VM's canvas (Pointer Lock), for guests with a relative (PS/2)
// pointer: the browser's cursor cannot be mapped onto theirs, so the page hands the guest raw
// movement until Ctrl+Alt (or Escape, the browser's own way) lets go.

// Locks the pointer to the screen's canvas and gives it the keyboard, so the release key is heard.
export function capturePointer(screen: HTMLElement | null): void {
  const canvas = screen?.querySelector('canvas');
  if (!canvas || document.pointerLockElement === canvas) return;
  canvas.focus();
  // The browser may refuse (no user gesture, the page lost focus) and says so with a
  // pointerlockerror; the person can click again. Older browsers return nothing.
  const pending: unknown = canvas.requestPointerLock();
  if (pending instanceof Promise) pending.catch(() => undefined);
}

// Lets the pointer go if this page holds it.
export function releasePointer(): void {
  if (document.pointerLockElement) document.exitPointerLock();
}
