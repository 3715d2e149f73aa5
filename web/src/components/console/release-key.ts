// The documented way out of the console for keyboard users: press Ctrl+Alt and let go without
// pressing anything else (as in virt-manager). While the screen has focus every other key,
// Tab and Escape included, belongs to the guest.

export const RELEASE_KEY_LABEL = 'Ctrl+Alt';

// Tracks key events (KeyboardEvent.key values); keyup() says when the release gesture is done.
export class ReleaseKeyTracker {
  private readonly held = new Set<string>();
  // Another key was pressed since everything was last let go: this chord is for the guest.
  private spoiled = false;

  keydown(key: string): void {
    this.held.add(key);
    if (key !== 'Control' && key !== 'Alt') this.spoiled = true;
  }

  // True when this keyup completes Ctrl+Alt pressed and released alone.
  keyup(key: string): boolean {
    const fire = !this.spoiled && this.held.size === 2 && this.held.has('Control') && this.held.has('Alt') && (key === 'Control' || key === 'Alt');
    this.held.delete(key);
    if (fire) this.spoiled = true;
    if (this.held.size === 0) this.spoiled = false;
    return fire;
  }

  // Focus left the screen: whatever was held is no longer seen.
  reset(): void {
    this.held.clear();
    this.spoiled = false;
  }
}
