import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VncClipboard } from './vnc-clipboard';

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
