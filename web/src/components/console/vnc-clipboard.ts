// The VNC console's side of the shared clipboard, kept pure: noVNC speaks the wire (QEMU's
// extended clipboard: notify, request, provide; UTF-8, zlib) and QEMU's vdagent hands it to the
// guest's spice-vdagent. What is left to decide here is what to send and what to keep.
//
// Line ends: the extended clipboard carries CRLF (rfbproto), so noVNC turns the page's LF into
// CRLF and the guest's CRLF back into LF; QEMU passes the bytes through unchanged, so a Linux
// guest receives the page's lines with CRLF. QEMU also passes on the NUL noVNC ends the text
// with; the guest agent's X side stops at it.
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
