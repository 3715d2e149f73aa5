import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inflateSync } from 'node:zlib';
import { guestClipboardBytes, providePayload, tooLargeForVnc, VNC_CLIPBOARD_MAX_BYTES, VncClipboard } from './vnc-clipboard';

type Step = ['guest', string, string] | ['host', string, boolean, boolean];

// Each row: a sequence of what happens and what the console must do. 'guest' text arrives from
// noVNC and must be handed to the page as is; 'host' text is the page's clipboard (force: the
// Send clipboard button) and the boolean says whether it goes to the guest.
test('VncClipboard: sends the page text the guest lacks, never echoes the guest its own text', () => {
  const table: Array<[string, Step[]]> = [
    ['a new page text goes', [['host', 'hello', false, true]]],
    ['an empty clipboard never goes', [['host', '', false, false], ['host', '', true, false]]],
    ['the same page text goes once on focus', [['host', 'a', false, true], ['host', 'a', false, false]]],
    ['the button sends it again', [['host', 'a', false, true], ['host', 'a', true, true]]],
    ['what the guest copied is not offered back', [['guest', 'Grüße ✓', 'Grüße ✓'], ['host', 'Grüße ✓', false, false]]],
    ['but the button still sends it', [['guest', 'x', 'x'], ['host', 'x', true, true]]],
    ['a page text after a guest copy goes', [['guest', 'x', 'x'], ['host', 'y', false, true]]],
    ['the page text again after the guest copied something else goes', [['host', 'a', false, true], ['guest', 'b', 'b'], ['host', 'a', false, true]]],
    ['non-ASCII and line ends are left to the wire', [['guest', 'ä\r\n😀\n', 'ä\r\n😀\n'], ['host', 'ä\n😀', false, true]]],
  ];
  for (const [name, steps] of table) {
    const c = new VncClipboard();
    steps.forEach((step, i) => {
      if (step[0] === 'guest') assert.equal(c.guestText(step[1]), step[2], `${name}, step ${i}`);
      else assert.equal(c.hostText(step[1], step[2]), step[3], `${name}, step ${i}`);
    });
  }
});

test('guestClipboardBytes: UTF-8 with LF line ends, whatever the page had', () => {
  const table: Array<[string, string]> = [
    ['plain', 'plain'],
    ['a\r\nb', 'a\nb'],
    ['a\rb\n', 'a\nb\n'],
    ['Grüße ✓ 😀', 'Grüße ✓ 😀'],
    ['', ''],
  ];
  for (const [text, want] of table) assert.deepEqual(Buffer.from(guestClipboardBytes(text)), Buffer.from(want, 'utf8'), JSON.stringify(text));
});

// What QEMU's VNC server reads (ui/vnc-clipboard.c): the flags word (provide, text), then zlib
// of a big-endian length and that many bytes of text, with no NUL after it.
test('providePayload: the Provide message body QEMU inflates back to the text', async () => {
  for (const text of ['', 'a', 'Grüße ✓ 😀\nline', 'x'.repeat(300_000)]) {
    const bytes = guestClipboardBytes(text);
    const payload = Buffer.from(await providePayload(bytes));
    assert.equal(payload.readUInt32BE(0), 0x10000001, 'flags');
    const plain = inflateSync(payload.subarray(4));
    assert.equal(plain.readUInt32BE(0), bytes.length);
    assert.equal(plain.length, 4 + bytes.length);
    assert.equal(plain.subarray(4).toString('utf8'), text);
  }
});

test("tooLargeForVnc: refuses, with the figures, only what QEMU's vdagent would drop", () => {
  assert.equal(VNC_CLIPBOARD_MAX_BYTES, 1048548);
  const table: Array<[number, boolean]> = [
    [0, false],
    [VNC_CLIPBOARD_MAX_BYTES, false],
    [VNC_CLIPBOARD_MAX_BYTES + 1, true],
    [2 * 1024 * 1024, true],
  ];
  for (const [size, refused] of table) {
    const why = tooLargeForVnc(new Uint8Array(size));
    assert.equal(why !== null, refused, String(size));
    if (why) assert.match(why, new RegExp(`${size} bytes.*at most ${VNC_CLIPBOARD_MAX_BYTES}.*SPICE`));
  }
});
