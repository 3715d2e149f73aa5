import { test } from 'node:test';
import assert from 'node:assert/strict';
import { announcePairingLink, serveLinkFlags } from './pairing-link';

// The link is a credential: printed where a person watches (a terminal) or when asked, never
// into the log file of a background or login start.
const cases: Array<[string[], boolean, { printLink: boolean; open: boolean }]> = [
  [[], true, { printLink: true, open: true }],
  [['--no-open'], true, { printLink: true, open: false }],
  [[], false, { printLink: false, open: false }],
  [['--pair-link'], false, { printLink: true, open: true }],
  [['--pair-link', '--no-open'], false, { printLink: true, open: false }],
];
for (const [args, tty, expected] of cases) {
  test(`serve ${args.join(' ') || '(no options)'}${tty ? ' in a terminal' : ' piped'} → ${JSON.stringify(expected)}`, () => {
    assert.deepEqual(serveLinkFlags(args, tty), expected);
  });
}

test('an unknown serve option is refused, naming the ones there are', () => {
  assert.throws(() => serveLinkFlags(['--no-opne'], true), (e: unknown) => {
    assert.equal((e as { code?: string }).code, 'BAD_REQUEST');
    assert.match((e as Error).message, /--no-opne.*--no-open/);
    return true;
  });
});

test('the printed link carries a fresh code in its fragment; nothing is minted when no link is printed', () => {
  let minted = 0;
  const auth = { createPairingCode: () => ({ code: `CODE000${++minted}`, expiresAt: 0 }) };
  const lines: string[] = [];
  const link = announcePairingLink({ auth, port: 47320, flags: { printLink: true, open: false }, out: (l) => lines.push(l), log: () => undefined, env: {} });
  assert.equal(link, 'http://127.0.0.1:47320/pair#code=CODE0001');
  assert.equal(lines[0], `open OpenUTM: ${link}`);
  assert.equal(announcePairingLink({ auth, port: 47320, flags: { printLink: false, open: false }, out: (l) => lines.push(l), log: () => undefined, env: {} }), null);
  assert.equal(minted, 1);
});
