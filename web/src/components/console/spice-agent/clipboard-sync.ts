import { AgentCap, ClipboardType, Selection } from './agent-protocol';

// What a clipboard holds, in the types the page shares with the guest: text, a PNG image, or
// both (a program may copy a picture with its text, as an office program or a browser does).
export interface HostClipboardItem {
  text?: string;
  png?: Uint8Array;
}

// What the clipboard sync asks its owner to do: agent messages to send, and the page's
// clipboard to write.
export type ClipboardAction =
  | { kind: 'grab'; selection: number; types: number[] }
  | { kind: 'request'; selection: number; type: number }
  | { kind: 'data'; selection: number; type: number; data: Uint8Array }
  | { kind: 'writeHost'; item: HostClipboardItem };

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8');

// The types the page shares, in the order it asks for them: text first, so that it lands in
// the page's clipboard without waiting for a large image.
const SHARED_TYPES = [ClipboardType.UTF8_TEXT, ClipboardType.IMAGE_PNG];

export function isEmptyItem(item: HostClipboardItem): boolean {
  return !item.text && !item.png?.length;
}

// Same text and the same PNG bytes (both absent counts as same).
export function sameItem(a: HostClipboardItem | null, b: HostClipboardItem | null): boolean {
  if (a === null || b === null) return a === b;
  if ((a.text || undefined) !== (b.text || undefined)) return false;
  const pa = a.png?.length ? a.png : undefined;
  const pb = b.png?.length ? b.png : undefined;
  if (pa === undefined || pb === undefined) return pa === pb;
  if (pa.length !== pb.length) return false;
  for (let i = 0; i < pa.length; i++) if (pa[i] !== pb[i]) return false;
  return true;
}

// The clipboard both ways, by demand: the side that copies grabs (offers types), the other side
// requests a type when it needs the data. A browser cannot hear its clipboard change, so the page
// offers its content when it gains focus or the person asks; and it cannot be asked lazily either,
// so a guest grab is answered at once with a request for every shared type it offers. As
// virt-viewer and UTM do, text and image travel together when both are there: the page offers
// the guest every type its clipboard holds, and keeps every type the guest offers. Only the
// CLIPBOARD selection is shared (a browser has no PRIMARY). Pure: the caller turns actions into
// messages and clipboard calls.
export class ClipboardSync {
  private crlfGuest = false;
  // What the page offered the guest and still owns there (null once the guest copies).
  private offered: HostClipboardItem | null = null;
  // The last content known to be on both sides: offering it again would only take the guest's
  // selection away from the program that owns it.
  private shared: HostClipboardItem | null = null;
  // The types asked of the guest's last grab and not answered yet, oldest first, and what the
  // answers brought so far.
  private waiting: number[] = [];
  private received: HostClipboardItem = {};

  guestCapabilities(caps: ReadonlySet<number>): void {
    this.crlfGuest = caps.has(AgentCap.GUEST_LINEEND_CRLF);
  }

  guestGrab(selection: number, types: readonly number[]): ClipboardAction[] {
    if (selection !== Selection.CLIPBOARD) return [];
    this.offered = null;
    this.waiting = SHARED_TYPES.filter((t) => types.includes(t));
    this.received = {};
    return this.waiting.map((type) => ({ kind: 'request', selection, type }));
  }

  // Each answer is written to the page as it comes (text first, then text and image), so that a
  // type the agent never delivers does not hold back the others.
  guestData(selection: number, type: number, data: Uint8Array): ClipboardAction[] {
    if (selection !== Selection.CLIPBOARD || this.waiting.length === 0) return [];
    // The agent answers requests in order; NONE says it had nothing for the oldest one.
    const at = type === ClipboardType.NONE ? 0 : this.waiting.indexOf(type);
    if (at < 0) return [];
    this.waiting.splice(at, 1);
    if (type === ClipboardType.IMAGE_PNG && data.length > 0) this.received = { ...this.received, png: data };
    if (type === ClipboardType.UTF8_TEXT) {
      let text = decoder.decode(data[data.length - 1] === 0 ? data.subarray(0, -1) : data);
      if (this.crlfGuest) text = text.replace(/\r\n/g, '\n');
      if (text !== '') this.received = { ...this.received, text };
    }
    if (type === ClipboardType.NONE || isEmptyItem(this.received)) return [];
    this.shared = this.received;
    return [{ kind: 'writeHost', item: this.received }];
  }

  guestRequest(selection: number, type: number): ClipboardAction[] {
    const o = selection === Selection.CLIPBOARD ? this.offered : null;
    if (o?.text && type === ClipboardType.UTF8_TEXT) {
      const text = this.crlfGuest ? o.text.replace(/\r?\n/g, '\r\n') : o.text.replace(/\r\n/g, '\n');
      return [{ kind: 'data', selection, type, data: encoder.encode(text) }];
    }
    if (o?.png?.length && type === ClipboardType.IMAGE_PNG) return [{ kind: 'data', selection, type, data: o.png }];
    // The agent waits for an answer; an empty one tells it there is nothing of that type.
    return [{ kind: 'data', selection, type: ClipboardType.NONE, data: new Uint8Array(0) }];
  }

  guestRelease(selection: number): ClipboardAction[] {
    if (selection === Selection.CLIPBOARD) this.waiting = [];
    return [];
  }

  // The page's clipboard holds this now (read on focus, or when asked to send it).
  hostClipboard(item: HostClipboardItem, force = false): ClipboardAction[] {
    const content: HostClipboardItem = {
      ...(item.text ? { text: item.text } : {}),
      ...(item.png?.length ? { png: item.png } : {}),
    };
    if (isEmptyItem(content) || (!force && (sameItem(content, this.shared) || sameItem(content, this.offered)))) return [];
    this.offered = content;
    this.shared = content;
    const types = SHARED_TYPES.filter((t) => (t === ClipboardType.UTF8_TEXT ? content.text !== undefined : content.png !== undefined));
    return [{ kind: 'grab', selection: Selection.CLIPBOARD, types }];
  }

  // The agent went away (or came back): nothing is owned on either side any more.
  reset(): void {
    this.offered = null;
    this.shared = null;
    this.waiting = [];
    this.received = {};
  }
}
