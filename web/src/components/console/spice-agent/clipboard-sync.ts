import { AgentCap, ClipboardType, Selection } from './agent-protocol';

// What the clipboard sync asks its owner to do: agent messages to send, and the page's
// clipboard to write.
export type ClipboardAction =
  | { kind: 'grab'; selection: number; types: number[] }
  | { kind: 'request'; selection: number; type: number }
  | { kind: 'data'; selection: number; type: number; data: Uint8Array }
  | { kind: 'writeHost'; item: HostClipboardItem };

export type HostClipboardItem = { kind: 'text'; text: string } | { kind: 'png'; png: Uint8Array };

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8');

// The clipboard both ways, by demand: the side that copies grabs (offers types), the other side
// requests a type when it needs the data. A browser cannot hear its clipboard change, so the page
// offers its text when it gains focus or the person asks; and it cannot be asked lazily either,
// so a guest grab is answered with a request at once. Only the CLIPBOARD selection is shared (a
// browser has no PRIMARY). Pure: the caller turns actions into messages and clipboard calls.
export class ClipboardSync {
  private crlfGuest = false;
  // What the page offered the guest and still owns there (null once the guest copies).
  private offered: string | null = null;
  // The last text known to be on both sides: offering it again would only take the guest's
  // selection away from the program that owns it.
  private shared: string | null = null;
  // Whether the guest's last grab offered text, so an image alone is fetched only when no text.
  private requested: number | null = null;

  guestCapabilities(caps: ReadonlySet<number>): void {
    this.crlfGuest = caps.has(AgentCap.GUEST_LINEEND_CRLF);
  }

  guestGrab(selection: number, types: readonly number[]): ClipboardAction[] {
    if (selection !== Selection.CLIPBOARD) return [];
    this.offered = null;
    const type = types.includes(ClipboardType.UTF8_TEXT) ? ClipboardType.UTF8_TEXT : types.includes(ClipboardType.IMAGE_PNG) ? ClipboardType.IMAGE_PNG : null;
    this.requested = type;
    return type === null ? [] : [{ kind: 'request', selection, type }];
  }

  guestData(selection: number, type: number, data: Uint8Array): ClipboardAction[] {
    if (selection !== Selection.CLIPBOARD || type !== this.requested) return [];
    this.requested = null;
    if (type === ClipboardType.IMAGE_PNG) return [{ kind: 'writeHost', item: { kind: 'png', png: data } }];
    let text = decoder.decode(data[data.length - 1] === 0 ? data.subarray(0, -1) : data);
    if (this.crlfGuest) text = text.replace(/\r\n/g, '\n');
    this.shared = text;
    return [{ kind: 'writeHost', item: { kind: 'text', text } }];
  }

  guestRequest(selection: number, type: number): ClipboardAction[] {
    if (selection === Selection.CLIPBOARD && type === ClipboardType.UTF8_TEXT && this.offered !== null) {
      const text = this.crlfGuest ? this.offered.replace(/\r?\n/g, '\r\n') : this.offered.replace(/\r\n/g, '\n');
      return [{ kind: 'data', selection, type, data: encoder.encode(text) }];
    }
    // The agent waits for an answer; an empty one tells it there is nothing of that type.
    return [{ kind: 'data', selection, type: ClipboardType.NONE, data: new Uint8Array(0) }];
  }

  guestRelease(selection: number): ClipboardAction[] {
    if (selection === Selection.CLIPBOARD) this.requested = null;
    return [];
  }

  // The page's clipboard holds this text now (read on focus, or when asked to send it).
  hostText(text: string, force = false): ClipboardAction[] {
    if (text === '' || (!force && (text === this.shared || text === this.offered))) return [];
    this.offered = text;
    this.shared = text;
    return [{ kind: 'grab', selection: Selection.CLIPBOARD, types: [ClipboardType.UTF8_TEXT] }];
  }

  // The agent went away (or came back): nothing is owned on either side any more.
  reset(): void {
    this.offered = null;
    this.requested = null;
    this.shared = null;
  }
}
