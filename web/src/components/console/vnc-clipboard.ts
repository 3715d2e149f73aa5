// The VNC console's side of the shared clipboard. noVNC speaks the extended clipboard (notify,
// request, provide; UTF-8 in zlib) with QEMU's VNC server, which hands the text to its vdagent
// and so to the guest's spice-vdagent. What is decided here: what to send, and in which form.

// rfbproto wants the extended clipboard's text with CRLF line ends and a closing NUL, and noVNC
// writes it so; QEMU instead passes the bytes on to the guest unchanged, so a Linux guest would
// paste CRLF and a NUL. QEMU's own text (from the guest) has neither: its vdagent is a client
// with LF line ends (Windows agents convert for it). So the page sends QEMU the same form.
const FLAG_TEXT = 1;
const ACTION_PROVIDE = 1 << 28;

// QEMU's limits on text from the page: its vdagent drops a message that does not fit its 1 MiB
// buffer (20-byte message header, selection and type words), and its VNC server inflates at
// most 1 MiB (size word and text). The first is the smaller.
export const VNC_CLIPBOARD_MAX_BYTES = 1024 * 1024 - 28;

// The text as the guest should receive it: LF line ends, UTF-8.
export function guestClipboardBytes(text: string): Uint8Array {
  return new TextEncoder().encode(text.replace(/\r\n?/g, '\n'));
}

// The body of an extended ClientCutText Provide message for `bytes`: the flags word, then a
// zlib stream of the text's length and the text.
export async function providePayload(bytes: Uint8Array): Promise<Uint8Array> {
  const plain = new Uint8Array(4 + bytes.length);
  new DataView(plain.buffer).setUint32(0, bytes.length);
  plain.set(bytes, 4);
  const zlib = new Uint8Array(await new Response(new Blob([plain]).stream().pipeThrough(new CompressionStream('deflate'))).arrayBuffer());
  const payload = new Uint8Array(4 + zlib.length);
  new DataView(payload.buffer).setUint32(0, (ACTION_PROVIDE | FLAG_TEXT) >>> 0);
  payload.set(zlib, 4);
  return payload;
}

// Why a text cannot go to the guest over VNC (null when it can).
export function tooLargeForVnc(bytes: Uint8Array): string | null {
  if (bytes.length <= VNC_CLIPBOARD_MAX_BYTES) return null;
  return `The clipboard holds ${bytes.length} bytes; a VNC console passes at most ${VNC_CLIPBOARD_MAX_BYTES} (QEMU's limit), so the guest did not get it: copy less, or use a SPICE display`;
}

export class VncClipboard {
  // The last text known to be on both sides: sending it again would take the guest's selection
  // from the program that owns it, for nothing.
  private shared: string | null = null;

  // The guest copied `text` (noVNC's clipboard event): what the page's clipboard should get.
  guestText(text: string): string {
    this.shared = text;
    return text;
  }

  // The page's clipboard holds `text`: whether to offer it to the guest (force: the person
  // asked, even if the guest had it already).
  hostText(text: string, force: boolean): boolean {
    if (text === '' || (!force && text === this.shared)) return false;
    this.shared = text;
    return true;
  }
}
