// `npm test`: the one test command. Installs what is missing, builds the test guest, then runs
// type checks, lint, and every unit and integration test of every workspace.
import './lib/require-node.mjs'; // first: an older Node stops here with what to install
import { runTurbo } from './lib/turbo.mjs';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { ensureDebianPackages, ensureNodeModules, hostPackagesNote, repoRoot, runOrExit, step, TEST_PACKAGES } from './lib/ensure.mjs';
import { existsSync } from 'node:fs';
import { guestSource, hasTestGuest, partitionVmTests, testGuestDir } from './lib/vm-tests.mjs';
import { prebuiltGuestProblems } from './lib/prebuilt-guest.mjs';
import { agentGuestDir, agentGuestSource, bootsAgentGuest, hasAgentGuest } from './lib/agent-guest.mjs';

const guestDir = testGuestDir(repoRoot);
const guest = guestSource({ hasGuest: hasTestGuest(guestDir), hasApt: existsSync('/usr/bin/apt-get') });
const skipVms = guest.kind === 'skip' ? guest.reason : null;
if (guest.kind === 'missing') {
  process.stderr.write(`✖ ${guest.reason}\n`);
  process.exit(1);
}
ensureNodeModules();
if (process.platform === 'linux' && !skipVms) ensureDebianPackages(TEST_PACKAGES);
else if (hostPackagesNote()) step(`${hostPackagesNote()}; tests needing Linux-only tools (gio, dbus, python3, /usr/bin/qemu-*) skip and say why`);

if (guest.kind === 'skip') {
  step(`VM tests skipped: ${skipVms}`);
} else if (guest.kind === 'prebuilt') {
  step(`using the prebuilt test guest in ${path.relative(repoRoot, guestDir) || guestDir} (not rebuilt)`);
  const problems = prebuiltGuestProblems(guestDir);
  if (problems.length > 0) {
    process.stderr.write(`✖ the prebuilt test guest is damaged: ${problems.join('; ')}. Download it again (or delete it and build it on Debian).\n`);
    process.exit(1);
  }
} else {
  step('building the test guest (cached)');
  runOrExit('bash', ['scripts/test-guest/build.sh']);
}

const agentDir = agentGuestDir(repoRoot);
const agent = agentGuestSource({ vmSkipReason: skipVms, hasGuest: hasAgentGuest(agentDir), hasApt: existsSync('/usr/bin/apt-get') });
if (agent.kind === 'build') {
  step('building the agent test guest (cached; the first build takes a few minutes)');
  runOrExit('bash', ['scripts/agent-guest/build.sh']);
} else if (agent.kind === 'prebuilt') {
  const problems = prebuiltGuestProblems(agentDir);
  if (problems.length > 0) {
    process.stderr.write(`✖ the prebuilt agent test guest is damaged: ${problems.join('; ')}. Copy it again (or delete it and build it on Debian).\n`);
    process.exit(1);
  }
}

step('build + type check');
runTurbo(['run', 'build', 'typecheck', '--output-logs=errors-only']);

step('lint');
runOrExit('npx', ['eslint', '--max-warnings=0', '.']);

function findTests(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...findTests(full));
    else if (name.endsWith('.test.ts')) out.push(path.relative(repoRoot, full));
  }
  return out;
}
const filter = process.argv.slice(2);
const selected = ['shared', 'helper', 'web']
  .flatMap((ws) => findTests(path.join(repoRoot, ws)))
  .filter((f) => filter.length === 0 || filter.some((x) => f.includes(x)))
  .sort();
const { run: vmFiles, skipped } = skipVms ? partitionVmTests(selected, (f) => readFileSync(path.join(repoRoot, f), 'utf8')) : { run: selected, skipped: [] };
if (skipped.length > 0) process.stderr.write(`  skipped (they boot the test guest): ${skipped.join(', ')}\n`);
// Without the agent guest (and with VM tests on), only the files that boot it are left out.
const agentSkipped = agent.kind === 'skip' && !skipVms ? vmFiles.filter((f) => bootsAgentGuest(readFileSync(path.join(repoRoot, f), 'utf8'))) : [];
if (agentSkipped.length > 0) process.stderr.write(`  skipped (${agent.reason}): ${agentSkipped.join(', ')}\n`);
const files = vmFiles.filter((f) => !agentSkipped.includes(f));

step(`tests: ${files.length} files (guests run under TCG)`);
runOrExit(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...files], {
  env: { ...process.env, OPENUTM_ACCEL: process.env.OPENUTM_ACCEL ?? 'tcg' },
});
