import type { HostClipboardItem } from './display-session';

// The page's clipboard in the types shared with a guest: text and PNG images. Chromium and
// Safari read and write both through ClipboardItem; where read() is missing only text is read.

export async function readPageClipboard(): Promise<HostClipboardItem> {
  if (typeof navigator.clipboard.read !== 'function') return { text: await navigator.clipboard.readText() };
  const out: HostClipboardItem = {};
  for (const item of await navigator.clipboard.read()) {
    if (out.text === undefined && item.types.includes('text/plain')) out.text = await (await item.getType('text/plain')).text();
    if (out.png === undefined && item.types.includes('image/png')) out.png = new Uint8Array(await (await item.getType('image/png')).arrayBuffer());
  }
  return out;
}

export async function writePageClipboard(item: HostClipboardItem): Promise<void> {
  if (!item.png) {
    await navigator.clipboard.writeText(item.text ?? '');
    return;
  }
  const parts: Record<string, Blob> = { 'image/png': new Blob([item.png as Uint8Array<ArrayBuffer>], { type: 'image/png' }) };
  if (item.text) parts['text/plain'] = new Blob([item.text], { type: 'text/plain' });
  await navigator.clipboard.write([new ClipboardItem(parts)]);
}

// The browser refused the clipboard itself (no focus, no permission), as opposed to the content.
export function isPermissionError(e: unknown): boolean {
  return e instanceof DOMException && (e.name === 'NotAllowedError' || e.name === 'SecurityError');
}
