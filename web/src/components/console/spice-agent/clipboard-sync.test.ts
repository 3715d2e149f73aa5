import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AgentCap, ClipboardType as T, Selection as S } from './agent-protocol';
import { ClipboardSync, sameItem, type ClipboardAction, type HostClipboardItem } from './clipboard-sync';

const enc = (s: string) => new TextEncoder().encode(s);
const PNG = enc('\x89PNG fake');
type Step =
  | ['caps', number[]]
  | ['guestGrab', number, number[]]
  | ['guestData', number, number, string]
  | ['guestRequest', number, number]
  | ['guestRelease', number]
  | ['host', string]
  | ['hostItem', HostClipboardItem]
  | ['reset'];

// A readable form of an action: data as text.
function show(a: ClipboardAction): unknown {
  if (a.kind === 'data') return { ...a, data: new TextDecoder().decode(a.data) };
  if (a.kind === 'writeHost') {
    const { text, png } = a.item;
    if (png === undefined) return { writeHost: text };
    return { writeHost: text ?? null, png: png.length };
  }
  return a;
}

function run(steps: Step[]): unknown[][] {
  const c = new ClipboardSync();
  return steps.map((s) => {
    switch (s[0]) {
      case 'caps':
        c.guestCapabilities(new Set(s[1]));
        return [];
      case 'guestGrab':
        return c.guestGrab(s[1], s[2]).map(show);
      case 'guestData':
        return c.guestData(s[1], s[2], enc(s[3])).map(show);
      case 'guestRequest':
        return c.guestRequest(s[1], s[2]).map(show);
      case 'guestRelease':
        return c.guestRelease(s[1]).map(show);
      case 'host':
        return c.hostClipboard({ text: s[1] }).map(show);
      case 'hostItem':
        return c.hostClipboard(s[1]).map(show);
      case 'reset':
        c.reset();
        return [];
    }
  });
}

const none = { kind: 'data', selection: S.CLIPBOARD, type: T.NONE, data: '' };
const grab = { kind: 'grab', selection: S.CLIPBOARD, types: [T.UTF8_TEXT] };

const cases: Array<{ name: string; steps: Step[]; expect: unknown[][] }> = [
  {
    name: 'guest copies text: the page asks for it and writes it to its clipboard',
    steps: [['guestGrab', S.CLIPBOARD, [T.UTF8_TEXT]], ['guestData', S.CLIPBOARD, T.UTF8_TEXT, 'Grüße ✓']],
    expect: [[{ kind: 'request', selection: 0, type: T.UTF8_TEXT }], [{ writeHost: 'Grüße ✓' }]],
  },
  {
    name: 'guest copies text and an image: both are asked for, text first; the page gets text, then text with the image',
    steps: [['guestGrab', S.CLIPBOARD, [T.IMAGE_PNG, T.UTF8_TEXT]], ['guestData', S.CLIPBOARD, T.UTF8_TEXT, 'caption'], ['guestData', S.CLIPBOARD, T.IMAGE_PNG, 'PNG!']],
    expect: [[{ kind: 'request', selection: 0, type: T.UTF8_TEXT }, { kind: 'request', selection: 0, type: T.IMAGE_PNG }], [{ writeHost: 'caption' }], [{ writeHost: 'caption', png: 4 }]],
  },
  {
    name: 'an image alone is fetched as PNG; BMP, TIFF and JPEG are not shared',
    steps: [['guestGrab', S.CLIPBOARD, [T.IMAGE_BMP, T.IMAGE_PNG]], ['guestData', S.CLIPBOARD, T.IMAGE_PNG, 'PNG!'], ['guestGrab', S.CLIPBOARD, [T.IMAGE_BMP, T.IMAGE_TIFF, T.IMAGE_JPG]]],
    expect: [[{ kind: 'request', selection: 0, type: T.IMAGE_PNG }], [{ writeHost: null, png: 4 }], []],
  },
  {
    name: 'the agent has nothing for a type (NONE answers the oldest request): the other still arrives',
    steps: [['guestGrab', S.CLIPBOARD, [T.UTF8_TEXT, T.IMAGE_PNG]], ['guestData', S.CLIPBOARD, T.NONE, ''], ['guestData', S.CLIPBOARD, T.IMAGE_PNG, 'PNG!'], ['guestData', S.CLIPBOARD, T.UTF8_TEXT, 'late']],
    expect: [[{ kind: 'request', selection: 0, type: T.UTF8_TEXT }, { kind: 'request', selection: 0, type: T.IMAGE_PNG }], [], [{ writeHost: null, png: 4 }], []],
  },
  {
    name: 'an empty image is nothing to write',
    steps: [['guestGrab', S.CLIPBOARD, [T.IMAGE_PNG]], ['guestData', S.CLIPBOARD, T.IMAGE_PNG, '']],
    expect: [[{ kind: 'request', selection: 0, type: T.IMAGE_PNG }], []],
  },
  {
    name: 'the PRIMARY selection (text merely selected in the guest) stays in the guest',
    steps: [['guestGrab', S.PRIMARY, [T.UTF8_TEXT]], ['guestData', S.PRIMARY, T.UTF8_TEXT, 'x'], ['guestRequest', S.PRIMARY, T.UTF8_TEXT]],
    expect: [[], [], [{ ...none, selection: S.PRIMARY }]],
  },
  {
    name: 'data nobody asked for (or of another type) is dropped; a trailing NUL is cut',
    steps: [['guestData', S.CLIPBOARD, T.UTF8_TEXT, 'stray'], ['guestGrab', S.CLIPBOARD, [T.UTF8_TEXT]], ['guestData', S.CLIPBOARD, T.IMAGE_PNG, 'x'], ['guestData', S.CLIPBOARD, T.UTF8_TEXT, 'ok\0'], ['guestData', S.CLIPBOARD, T.UTF8_TEXT, 'again']],
    expect: [[], [{ kind: 'request', selection: 0, type: T.UTF8_TEXT }], [], [{ writeHost: 'ok' }], []],
  },
  {
    name: 'host text is offered to the guest, then given when the guest asks',
    steps: [['host', 'from the host ✓'], ['guestRequest', S.CLIPBOARD, T.UTF8_TEXT], ['guestRequest', S.CLIPBOARD, T.IMAGE_PNG]],
    expect: [[grab], [{ kind: 'data', selection: 0, type: T.UTF8_TEXT, data: 'from the host ✓' }], [none]],
  },
  {
    name: 'the same host text is not offered twice, nor text that came from the guest',
    steps: [['host', 'a'], ['host', 'a'], ['guestGrab', S.CLIPBOARD, [T.UTF8_TEXT]], ['guestData', S.CLIPBOARD, T.UTF8_TEXT, 'b'], ['host', 'b'], ['host', 'a'], ['host', '']],
    expect: [[grab], [], [{ kind: 'request', selection: 0, type: T.UTF8_TEXT }], [{ writeHost: 'b' }], [], [grab], []],
  },
  {
    name: 'once the guest copies, the page no longer answers with its old text',
    steps: [['host', 'old'], ['guestGrab', S.CLIPBOARD, [T.IMAGE_BMP]], ['guestRequest', S.CLIPBOARD, T.UTF8_TEXT]],
    expect: [[grab], [], [none]],
  },
  {
    name: 'host image: offered as PNG and given when asked; text for it gets NONE',
    steps: [['hostItem', { png: PNG }], ['guestRequest', S.CLIPBOARD, T.IMAGE_PNG], ['guestRequest', S.CLIPBOARD, T.UTF8_TEXT], ['hostItem', { png: PNG.slice() }]],
    expect: [[{ ...grab, types: [T.IMAGE_PNG] }], [{ kind: 'data', selection: 0, type: T.IMAGE_PNG, data: '\x89PNG fake' }], [none], []],
  },
  {
    name: 'host text with an image: one grab with both types, each given on request',
    steps: [['hostItem', { text: 'caption', png: PNG }], ['guestRequest', S.CLIPBOARD, T.UTF8_TEXT], ['guestRequest', S.CLIPBOARD, T.IMAGE_PNG], ['hostItem', { text: 'caption' }]],
    expect: [[{ ...grab, types: [T.UTF8_TEXT, T.IMAGE_PNG] }], [{ kind: 'data', selection: 0, type: T.UTF8_TEXT, data: 'caption' }], [{ kind: 'data', selection: 0, type: T.IMAGE_PNG, data: '\x89PNG fake' }], [grab]],
  },
  {
    name: 'an image that came from the guest is not offered back; an empty clipboard offers nothing',
    steps: [['guestGrab', S.CLIPBOARD, [T.IMAGE_PNG]], ['guestData', S.CLIPBOARD, T.IMAGE_PNG, 'PNG!'], ['hostItem', { png: enc('PNG!') }], ['hostItem', { text: '', png: new Uint8Array(0) }]],
    expect: [[{ kind: 'request', selection: 0, type: T.IMAGE_PNG }], [{ writeHost: null, png: 4 }], [], []],
  },
  {
    name: 'line ends follow the guest: CRLF for a Windows guest, LF otherwise',
    steps: [['caps', [AgentCap.GUEST_LINEEND_CRLF]], ['host', 'a\nb\r\nc'], ['guestRequest', S.CLIPBOARD, T.UTF8_TEXT], ['guestGrab', S.CLIPBOARD, [T.UTF8_TEXT]], ['guestData', S.CLIPBOARD, T.UTF8_TEXT, 'x\r\ny']],
    expect: [[], [grab], [{ kind: 'data', selection: 0, type: T.UTF8_TEXT, data: 'a\r\nb\r\nc' }], [{ kind: 'request', selection: 0, type: T.UTF8_TEXT }], [{ writeHost: 'x\ny' }]],
  },
  {
    name: 'an LF guest gets LF',
    steps: [['caps', [AgentCap.GUEST_LINEEND_LF]], ['host', 'a\r\nb'], ['guestRequest', S.CLIPBOARD, T.UTF8_TEXT]],
    expect: [[], [grab], [{ kind: 'data', selection: 0, type: T.UTF8_TEXT, data: 'a\nb' }]],
  },
  {
    name: 'after the agent restarts, the same text is offered again',
    steps: [['host', 'a'], ['reset'], ['host', 'a'], ['guestRelease', S.CLIPBOARD]],
    expect: [[grab], [], [grab], []],
  },
];

for (const c of cases) {
  test(`clipboard sync: ${c.name}`, () => {
    assert.deepEqual(run(c.steps), c.expect);
  });
}

test('clipboard sync: a 1 MiB non-ASCII text goes both ways unchanged', () => {
  const big = 'ä€😀x'.repeat(1024 * 1024 / 10);
  const c = new ClipboardSync();
  c.guestGrab(S.CLIPBOARD, [T.UTF8_TEXT]);
  const [write] = c.guestData(S.CLIPBOARD, T.UTF8_TEXT, enc(big));
  assert.deepEqual(write, { kind: 'writeHost', item: { text: big } });
  c.hostClipboard({ text: big + '!' });
  const [data] = c.guestRequest(S.CLIPBOARD, T.UTF8_TEXT);
  assert.ok(data?.kind === 'data');
  assert.equal(new TextDecoder().decode(data.data), big + '!');
});

test('clipboard sync: sameItem compares text and PNG bytes', () => {
  const rows: Array<[HostClipboardItem | null, HostClipboardItem | null, boolean]> = [
    [null, null, true],
    [{ text: 'a' }, null, false],
    [{ text: 'a' }, { text: 'a' }, true],
    [{ text: 'a' }, { text: 'b' }, false],
    [{ text: '' }, {}, true],
    [{ png: enc('xy') }, { png: enc('xy') }, true],
    [{ png: enc('xy') }, { png: enc('xz') }, false],
    [{ png: enc('xy') }, { png: enc('xyz') }, false],
    [{ png: enc('xy') }, { text: 'xy' }, false],
    [{ text: 'a', png: enc('x') }, { text: 'a' }, false],
    [{ png: new Uint8Array(0) }, {}, true],
  ];
  for (const [a, b, want] of rows) assert.equal(sameItem(a, b), want, `${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
});
