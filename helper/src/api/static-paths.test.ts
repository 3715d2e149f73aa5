import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { candidateFiles, parseStaticPath } from './static-paths';

describe('parseStaticPath', () => {
  const ok: Array<[string, string[], boolean]> = [
    ['/', [], false],
    ['/index.html', ['index.html'], false],
    ['/vm/abc', ['vm', 'abc'], false],
    ['/vm/abc/', ['vm', 'abc'], true],
    ['/vm/abc?tab=console#x', ['vm', 'abc'], false],
    ['/_next/static/chunks/app-3f9a1c2b.js', ['_next', 'static', 'chunks', 'app-3f9a1c2b.js'], false],
    ['/a%20b.png', ['a b.png'], false],
    ['//a///b', ['a', 'b'], false],
    // Decoded once: a doubly encoded dot-dot is a file literally named "%2e%2e".
    ['/%252e%252e/etc/passwd', ['%2e%2e', 'etc', 'passwd'], false],
    ['/...', ['...'], false],
    ['/.well-known/x', ['.well-known', 'x'], false],
  ];
  for (const [target, segments, trailingSlash] of ok) {
    test(`${target} → ${JSON.stringify(segments)}`, () => {
      assert.deepEqual(parseStaticPath(target), { ok: true, segments, trailingSlash });
    });
  }

  const refused: Array<[string, 400 | 403]> = [
    ['/../etc/passwd', 403],
    ['/a/../../etc/passwd', 403],
    ['/%2e%2e/etc/passwd', 403],
    ['/%2E%2E/%2e%2e/etc/passwd', 403],
    ['/.%2e/etc/passwd', 403],
    ['/./index.html', 403],
    ['/..', 403],
    ['/a/..', 403],
    ['/..%2fetc%2fpasswd', 403],
    ['/%2e%2e%2fetc%2fpasswd', 403],
    ['/%2e%2e%5cetc%5cpasswd', 403],
    ['/..\\etc\\passwd', 403],
    ['/\\etc\\passwd', 403],
    ['/index.html%00.png', 403],
    ['/a%0ab', 403],
    ['/C:/Windows/win.ini', 403],
    ['/index.html::$DATA', 403],
    ['/%c0%ae%c0%ae/etc/passwd', 400],
    ['/%', 400],
    ['/%zz', 400],
    ['http://127.0.0.1/etc/passwd', 400],
    ['*', 400],
    ['', 400],
  ];
  for (const [target, status] of refused) {
    test(`${JSON.stringify(target)} is refused with ${status}`, () => {
      const r = parseStaticPath(target);
      assert.equal(r.ok, false);
      if (!r.ok) assert.equal(r.status, status);
    });
  }
});

describe('candidateFiles (Next.js static export layout)', () => {
  test('/ is index.html', () => {
    assert.deepEqual(candidateFiles({ segments: [], trailingSlash: false }), [['index.html']]);
  });
  test('/vm/abc tries the file, the folder index, then vm/abc.html', () => {
    assert.deepEqual(candidateFiles({ segments: ['vm', 'abc'], trailingSlash: false }), [
      ['vm', 'abc'],
      ['vm', 'abc', 'index.html'],
      ['vm', 'abc.html'],
    ]);
  });
  test('/vm/abc/ is a folder first', () => {
    assert.deepEqual(candidateFiles({ segments: ['vm', 'abc'], trailingSlash: true }), [
      ['vm', 'abc', 'index.html'],
      ['vm', 'abc.html'],
    ]);
  });
});
