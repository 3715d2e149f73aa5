import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assetKeyFor, isServablePath, webAssetsFromManifest, type UiManifest } from './ui-manifest';

function packed(paths: Record<string, string>): { manifest: UiManifest; read: (key: string) => Uint8Array } {
  const assets = new Map<string, Uint8Array>();
  const files = Object.entries(paths).map(([p, text]) => {
    const bytes = new TextEncoder().encode(text);
    assets.set(assetKeyFor(p), bytes);
    return { path: p, asset: assetKeyFor(p), size: bytes.byteLength, mtimeMs: 1_700_000_000_000 };
  });
  return {
    manifest: { format: 1, uiVersion: '1.2.3', hostedOrigins: [], files },
    read: (key) => {
      const b = assets.get(key);
      if (!b) throw new Error(`no asset ${key}`);
      return b;
    },
  };
}

describe('webAssetsFromManifest', () => {
  test('maps each listed path to its asset bytes and date, with the UI version', () => {
    const { manifest, read } = packed({ 'index.html': '<html>', '_next/static/a.js': 'x()' });
    const { uiVersion, files } = webAssetsFromManifest(manifest, read);
    assert.equal(uiVersion, '1.2.3');
    assert.deepEqual([...files.keys()].sort(), ['_next/static/a.js', 'index.html']);
    assert.equal(new TextDecoder().decode(files.get('index.html')!.bytes), '<html>');
    assert.equal(files.get('index.html')!.mtime.getTime(), 1_700_000_000_000);
  });

  test('a path a request could not name (.., absolute, backslash, empty segment) refuses the whole manifest', () => {
    for (const bad of ['../secret', '/etc/passwd', 'a\\b', 'a//b', 'a/./b', 'dir/', 'C:/x']) {
      const { manifest, read } = packed({ 'index.html': 'x' });
      manifest.files.push({ path: bad, asset: assetKeyFor('index.html'), size: 1, mtimeMs: 0 });
      assert.throws(() => webAssetsFromManifest(manifest, read), /not a plain relative path.*npm run package/, bad);
    }
  });

  test('hosted origins are normalized as the server compares them; a bad one refuses the manifest', () => {
    const { manifest, read } = packed({ 'index.html': 'x' });
    assert.deepEqual(webAssetsFromManifest({ ...manifest, hostedOrigins: ['https://Owner.GitHub.io/'] }, read).hostedOrigins, ['https://owner.github.io']);
    const { hostedOrigins: _omitted, ...old } = manifest;
    assert.deepEqual(webAssetsFromManifest(old, read).hostedOrigins, [], 'a manifest from before hosted origins allows none');
    assert.throws(() => webAssetsFromManifest({ ...manifest, hostedOrigins: ['https://x.github.io/openutm'] }, read), /bad hosted origin.*not a bare origin/);
  });

  test('sizes that disagree with the assets, or an unknown format, are refused with a way out', () => {
    const { manifest, read } = packed({ 'index.html': 'abc' });
    manifest.files[0]!.size = 4;
    assert.throws(() => webAssetsFromManifest(manifest, read), /holds 3 bytes, not the 4/);
    assert.throws(() => webAssetsFromManifest({ ...manifest, format: 2 }, read), /unreadable manifest.*npm run package/);
    assert.throws(() => webAssetsFromManifest('nonsense', read), /unreadable manifest/);
  });
});

describe('isServablePath', () => {
  const table: Array<[string, boolean]> = [
    ['index.html', true],
    ['_next/static/chunks/app-3f9a1c2b.js', true],
    ['a b.png', true],
    ['..', false],
    ['a/../b', false],
    ['', false],
    ['a%2fb', false],
    ['dir/', false],
  ];
  for (const [p, ok] of table) test(`${JSON.stringify(p)} → ${ok}`, () => assert.equal(isServablePath(p), ok));
});
