import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from './support/test-guest';

// The Node floor: one range in every package.json, checked first by every npm script, and an
// older Node refused with the version needed and how to get it on Debian/Ubuntu.

interface NodeVersionLib {
  NODE_ENGINES: string;
  nodeVersionOk(version: string): boolean;
  nodeVersionProblem(version: string): string | null;
}
const lib = async () => (await import(pathToFileURL(path.join(REPO_ROOT, 'scripts/lib/node-version.mjs')).href)) as NodeVersionLib;

test('nodeVersionOk: 20.15+ on the 20 line, 22.2+ on the 22 line, never 21', async () => {
  const { nodeVersionOk } = await lib();
  const table: Array<[string, boolean]> = [
    ['v18.19.1', false],
    ['v20.11.1', false],
    ['v20.14.0', false],
    ['v20.15.0', true],
    ['v20.20.2', true],
    ['v21.7.3', false],
    ['v22.1.0', false],
    ['v22.2.0', true],
    ['v24.11.0', true],
    ['v100.0.0', true],
    ['not a version', false],
  ];
  for (const [v, ok] of table) assert.equal(nodeVersionOk(v), ok, v);
  assert.ok(nodeVersionOk(process.version), `the Node running these tests (${process.version}) is supported`);
});

test('the refusal names the version needed and the Debian/Ubuntu commands that get it', async () => {
  const { nodeVersionProblem } = await lib();
  assert.equal(nodeVersionProblem('v22.12.0'), null);
  const text = nodeVersionProblem('v18.19.0') ?? '';
  assert.match(text, /needs Node\.js 20\.15 or newer/);
  assert.match(text, /this is Node v18\.19\.0/);
  assert.match(text, /sudo apt-get install nodejs npm/);
  assert.match(text, /deb\.nodesource\.com\/setup_22\.x/);
});

test('every package.json states the same engines range as the check', async () => {
  const { NODE_ENGINES } = await lib();
  for (const file of ['package.json', 'shared/package.json', 'helper/package.json', 'web/package.json']) {
    const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, file), 'utf8')) as { engines?: { node?: string } };
    assert.equal(pkg.engines?.node, NODE_ENGINES, file);
  }
});

test('npm start, test, bench and package refuse an older Node before doing anything', () => {
  // Pretends to be Node 18 (Debian 12's) for the script alone.
  const pretend = `data:text/javascript,Object.defineProperty(process,'version',{value:'v18.19.0'})`;
  for (const script of ['start', 'test', 'bench', 'package']) {
    const file = path.join(REPO_ROOT, 'scripts', `${script}.mjs`);
    assert.match(readFileSync(file, 'utf8'), /^import '\.\/lib\/require-node\.mjs';/m, `${script}.mjs imports the check`);
    const r = spawnSync(process.execPath, ['--import', pretend, file], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 1, `${script}: ${r.stderr}`);
    assert.match(r.stderr, /OpenUTM needs Node\.js 20\.15 or newer/, script);
    assert.doesNotMatch(r.stdout + r.stderr, /▸/, `${script} took no step`);
  }
});
