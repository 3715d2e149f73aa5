import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { allowedOrigins, checkHost, checkOrigin, normalizeOrigin, parseOriginList } from './http-guards';

const P = 47320;

describe('checkHost', () => {
  const table: Array<[string | undefined, boolean]> = [
    [`127.0.0.1:${P}`, true],
    [`localhost:${P}`, true],
    [`LOCALHOST:${P}`, true],
    [`[::1]:${P}`, true],
    ['127.0.0.1', false],
    ['localhost', false],
    [`127.0.0.1:${P + 1}`, false],
    [`evil.example:${P}`, false],
    [`localhost.:${P}`, false],
    [`localhost.evil.example:${P}`, false],
    [`127.0.0.1.nip.io:${P}`, false],
    [`127.0.0.2:${P}`, false],
    [`0.0.0.0:${P}`, false],
    [`[::ffff:127.0.0.1]:${P}`, false],
    [`127.0.0.1:${P}@evil.example`, false],
    [`${P}`, false],
    ['', false],
    [undefined, false],
  ];
  for (const [host, ok] of table) {
    test(`${JSON.stringify(host)} → ${ok ? 'allowed' : 'refused'}`, () => {
      const r = checkHost(host, P);
      assert.equal(r.ok, ok);
      if (!r.ok) assert.ok(r.reason.length > 0);
    });
  }

  test('on port 80 the bare names are the ones browsers send', () => {
    assert.equal(checkHost('127.0.0.1', 80).ok, true);
    assert.equal(checkHost('localhost', 80).ok, true);
    assert.equal(checkHost('evil.example', 80).ok, false);
  });
});

describe('checkOrigin', () => {
  const allow = allowedOrigins(P, ['https://openutm.github.io']);
  const table: Array<[string | undefined, boolean, boolean]> = [
    // origin, required, allowed
    [`http://127.0.0.1:${P}`, true, true],
    [`http://localhost:${P}`, true, true],
    ['https://openutm.github.io', true, true],
    [undefined, true, false],
    ['', true, false],
    ['null', true, false],
    [undefined, false, true],
    ['null', false, false],
    ['https://evil.example', false, false],
    ['https://evil.example', true, false],
    [`http://127.0.0.1:${P}/`, true, false],
    [`http://127.0.0.1:${P + 1}`, true, false],
    [`https://127.0.0.1:${P}`, true, false],
    [`http://[::1]:${P}`, true, false],
    ['https://openutm.github.io.evil.example', true, false],
    ['https://OPENUTM.github.io', true, false],
    ['http://openutm.github.io', true, false],
  ];
  for (const [origin, required, ok] of table) {
    test(`${JSON.stringify(origin)} (${required ? 'required' : 'optional'}) → ${ok ? 'allowed' : 'refused'}`, () => {
      assert.equal(checkOrigin(origin, allow, { required }).ok, ok);
    });
  }
});

describe('OPENUTM_ORIGINS', () => {
  test('entries are trimmed, trailing slashes dropped, hosts lowercased, default ports removed', () => {
    assert.deepEqual(parseOriginList(' https://A.github.io/ ,http://localhost:80,, https://x.io:8443, https://example.com:443 '), [
      'https://a.github.io',
      'http://localhost',
      'https://x.io:8443',
      'https://example.com',
    ]);
  });

  test('unset or empty means none', () => {
    assert.deepEqual(parseOriginList(undefined), []);
    assert.deepEqual(parseOriginList(''), []);
  });

  const bad = ['example.com', 'ftp://example.com', 'https://example.com/app', 'https://u:p@example.com', 'https://example.com?x', 'https://example.com#x', 'javascript:alert(1)', 'null'];
  for (const raw of bad) {
    test(`${JSON.stringify(raw)} is refused with CONFIG_INVALID`, () => {
      assert.throws(() => normalizeOrigin(raw), { code: 'CONFIG_INVALID' });
      assert.throws(() => parseOriginList(`https://ok.example,${raw}`), { code: 'CONFIG_INVALID' });
    });
  }

  // Plain http only where it cannot leave this computer; everything else must be https.
  const schemes: Array<[string, string | null]> = [
    ['http://127.0.0.1:3000', 'http://127.0.0.1:3000'],
    ['http://localhost:8080', 'http://localhost:8080'],
    ['http://LOCALHOST', 'http://localhost'],
    ['http://[::1]:5000', 'http://[::1]:5000'],
    ['https://127.0.0.1:3000', 'https://127.0.0.1:3000'],
    ['https://owner.github.io', 'https://owner.github.io'],
    ['http://owner.github.io', null],
    ['http://example.com:80', null],
    ['http://192.168.1.10:3000', null],
    ['http://10.0.2.2:47320', null],
    ['http://0.0.0.0:3000', null],
    ['http://127.0.0.1.example.com', null],
    ['http://localhost.example.com', null],
    ['http://[::ffff:7f00:1]', null],
  ];
  for (const [raw, expected] of schemes) {
    test(`${raw} → ${expected === null ? 'refused: http:// is for loopback only' : expected}`, () => {
      if (expected !== null) {
        assert.deepEqual(parseOriginList(raw), [expected]);
        return;
      }
      assert.throws(() => parseOriginList(`https://ok.example,${raw}`), (e: unknown) => {
        const err = e as { code?: string; message?: string };
        assert.equal(err.code, 'CONFIG_INVALID');
        assert.match(err.message ?? '', /use https:\/\//);
        assert.match(err.message ?? '', /only for 127\.0\.0\.1, localhost and \[::1\]/);
        return true;
      });
    });
  }

  test("the helper's own two origins are always allowed", () => {
    assert.deepEqual([...allowedOrigins(1234, [])], ['http://127.0.0.1:1234', 'http://localhost:1234']);
  });
});
