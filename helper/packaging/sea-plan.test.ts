import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { UI_MANIFEST_ASSET } from '../src/web-ui/ui-manifest';
import { executableName, injectionSteps, isStale, nodeSupportsAssets, SEA_FUSE, seaConfig, uiAssets, type ExportFile } from './sea-plan';

describe('executableName', () => {
  const table: Array<[Parameters<typeof executableName>, string]> = [
    [['linux', 'x64'], 'openutm-linux-x64'],
    [['linux', 'arm64'], 'openutm-linux-arm64'],
    [['darwin', 'arm64'], 'openutm-macos-arm64'],
    [['darwin', 'x64'], 'openutm-macos-x64'],
    [['win32', 'x64'], 'openutm-win-x64.exe'],
  ];
  for (const [args, name] of table) test(`${args.join('-')} → ${name}`, () => assert.equal(executableName(...args), name));
});

describe('injectionSteps', () => {
  const exe = '/b/openutm';
  const blob = '/b/openutm.blob';
  const postjectArgs = [exe, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', SEA_FUSE];

  test('Linux: strip (optional) before injecting, never after', () => {
    const steps = injectionSteps('linux', exe, blob);
    assert.deepEqual(
      steps.map((s) => [s.program, s.args, s.optional ?? false]),
      [
        ['strip', [exe], true],
        ['postject', postjectArgs, false],
      ],
    );
  });

  test('macOS: remove the signature, inject into the NODE_SEA segment, sign ad hoc', () => {
    const steps = injectionSteps('darwin', exe, blob);
    assert.deepEqual(
      steps.map((s) => [s.program, s.args]),
      [
        ['codesign', ['--remove-signature', exe]],
        ['postject', [...postjectArgs, '--macho-segment-name', 'NODE_SEA']],
        ['codesign', ['--sign', '-', exe]],
      ],
    );
    assert.ok(steps.every((s) => !s.optional), 'an unsigned arm64 binary does not run, so no step may be skipped');
  });

  test('Windows: only the injection, into the .exe', () => {
    const steps = injectionSteps('win32', 'C:\\b\\openutm-win-x64.exe', 'C:\\b\\blob');
    assert.deepEqual(
      steps.map((s) => [s.program, s.args]),
      [['postject', ['C:\\b\\openutm-win-x64.exe', 'NODE_SEA_BLOB', 'C:\\b\\blob', '--sentinel-fuse', SEA_FUSE]]],
    );
  });

  test('paths with spaces and commas stay one argument each (no shell)', () => {
    const odd = '/Users/A B/x,y/openutm';
    for (const os of ['linux', 'darwin', 'win32'] as const) {
      for (const s of injectionSteps(os, odd, '/t/b')) assert.ok(s.args.includes(odd), `${os} ${s.program}`);
    }
  });
});

describe('seaConfig and uiAssets', () => {
  const file = (p: string, size = 3): ExportFile => ({ path: p, absolute: `/repo/web/out/${p}`, size, mtimeMs: 1_700_000_000_123.7 });

  test('the config names main, blob and assets, without the experimental warning', () => {
    const c = seaConfig({ main: '/m.cjs', blob: '/b', assets: { a: '/a' }, useCodeCache: true });
    assert.deepEqual(c, { main: '/m.cjs', output: '/b', disableExperimentalSEAWarning: true, useCodeCache: true, assets: { a: '/a' } });
  });

  test('every export file becomes an asset listed in the manifest, sorted, with whole-ms dates', () => {
    const { manifest, assets } = uiAssets([file('sw.js'), file('index.html', 10), file('_next/static/a.js')], { version: '0.3.0', hostedOrigins: ['https://o.github.io'] }, '/w/m.json');
    assert.equal(manifest.uiVersion, '0.3.0');
    assert.deepEqual(manifest.hostedOrigins, ['https://o.github.io']);
    assert.deepEqual(
      manifest.files.map((f) => f.path),
      ['_next/static/a.js', 'index.html', 'sw.js'],
    );
    assert.equal(manifest.files[1]!.size, 10);
    assert.equal(manifest.files[1]!.mtimeMs, 1_700_000_000_123);
    assert.equal(assets[UI_MANIFEST_ASSET], '/w/m.json');
    for (const f of manifest.files) assert.equal(assets[f.asset], `/repo/web/out/${f.path}`);
    assert.equal(Object.keys(assets).length, 4);
  });

  test('a file no request can name stops the build with its name', () => {
    assert.throws(() => uiAssets([file('index.html'), file('100%.txt')], { version: '1', hostedOrigins: [] }, '/m'), /100%\.txt, which no request path can name/);
  });
});

describe('isStale and nodeSupportsAssets', () => {
  test('missing or older than any input means rebuild', () => {
    assert.equal(isStale(null, [1]), true);
    assert.equal(isStale(10, [1, 11]), true);
    assert.equal(isStale(10, [1, 10]), false);
  });
  test('assets need Node 20.12 or newer', () => {
    assert.equal(nodeSupportsAssets('v20.11.1'), false);
    assert.equal(nodeSupportsAssets('v20.12.0'), true);
    assert.equal(nodeSupportsAssets('v20.20.2'), true);
    assert.equal(nodeSupportsAssets('v22.1.0'), true);
    assert.equal(nodeSupportsAssets('v18.20.0'), false);
  });
});
