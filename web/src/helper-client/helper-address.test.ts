import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apiSocketUrl, DEFAULT_HELPER_ORIGIN, parseHelperOrigin, resolveHelperOrigin, type PageLocation } from './helper-address';

const page = (url: string): PageLocation => {
  const u = new URL(url);
  return { protocol: u.protocol, hostname: u.hostname, port: u.port, origin: u.origin };
};

test('only loopback addresses with a port are helper addresses', () => {
  assert.equal(parseHelperOrigin('127.0.0.1:47320'), 'http://127.0.0.1:47320');
  assert.equal(parseHelperOrigin(' http://localhost:47400 '), 'http://localhost:47400');
  assert.equal(parseHelperOrigin('[::1]:47320'), 'http://[::1]:47320');
  for (const bad of ['evil.example:47320', 'http://127.0.0.1', '127.0.0.1:47320/x', 'http://u:p@127.0.0.1:1', 'ftp://127.0.0.1:21', '', '127.0.0.2:47320']) {
    assert.equal(parseHelperOrigin(bad), null, bad);
  }
});

test('the helper is the saved choice, else the page itself when a helper served it, else the default', () => {
  assert.equal(resolveHelperOrigin(page('http://127.0.0.1:47400/'), null, undefined), 'http://127.0.0.1:47400');
  assert.equal(resolveHelperOrigin(page('https://openutm.github.io/'), null, undefined), DEFAULT_HELPER_ORIGIN);
  assert.equal(resolveHelperOrigin(page('https://openutm.github.io/'), '127.0.0.1:5000', undefined), 'http://127.0.0.1:5000');
  assert.equal(resolveHelperOrigin(page('https://openutm.github.io/'), 'evil.example:1', undefined), DEFAULT_HELPER_ORIGIN);
  assert.equal(resolveHelperOrigin(page('http://localhost:3000/'), null, '127.0.0.1:47320'), 'http://127.0.0.1:47320');
  assert.equal(apiSocketUrl('http://127.0.0.1:47320'), 'ws://127.0.0.1:47320/api');
});
