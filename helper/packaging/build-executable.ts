// node:child_process: a build-time tool run from npm scripts, not part of the helper that ships.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { normalizeOrigin, parseOriginList } from '../src/api/http-guards';
import {
  executableName,
  injectionSteps,
  isStale,
  isTargetOs,
  MIN_NODE,
  nodeSupportsAssets,
  seaConfig,
  uiAssets,
  type ExportFile,
  type PlanStep,
} from './sea-plan';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface BuildOptions {
  repoRoot?: string;
  // Rebuild even when the executable is newer than its inputs.
  force?: boolean;
  // Progress lines; default: none.
  log?: (line: string) => void;
  // Origins of the hosted UI the executable allows (default: OPENUTM_HOSTED_ORIGINS, else none).
  hostedOrigins?: string[];
}

export interface BuiltExecutable {
  path: string;
  rebuilt: boolean;
}

// Where the packager reads and writes, for a repository root.
export function packagePaths(repoRoot: string) {
  const os = process.platform;
  if (!isTargetOs(os)) throw new Error(`cannot package for ${os}: only Linux, macOS and Windows executables are built`);
  const distDir = path.join(repoRoot, 'dist');
  return {
    bundle: path.join(repoRoot, 'helper/dist/openutm.cjs'),
    webOut: path.join(repoRoot, 'web/out'),
    webPackage: path.join(repoRoot, 'web/package.json'),
    distDir,
    workDir: path.join(distDir, '.sea-build'),
    exe: path.join(distDir, executableName(os, process.arch)),
    settings: path.join(distDir, `.${executableName(os, process.arch)}.settings.json`),
    os,
  };
}

// `npm run package` and the tests that need the executable: builds it for this host from the
// helper bundle and the web export, unless it is already newer than both (and this Node).
export function buildExecutable(opts: BuildOptions = {}): BuiltExecutable {
  const log = opts.log ?? (() => undefined);
  const p = packagePaths(opts.repoRoot ?? REPO_ROOT);
  if (!nodeSupportsAssets(process.version)) {
    throw new Error(`Node ${process.version} cannot pack the UI into an executable; use Node ${MIN_NODE.join('.')} or newer`);
  }
  for (const [file, what] of [
    [p.bundle, 'the helper bundle'],
    [p.webOut, 'the web export'],
  ] as const) {
    if (!existsSync(file)) throw new Error(`${what} is missing (${file}); run \`npm run build\` first`);
  }
  const hostedOrigins = (opts.hostedOrigins ?? parseOriginList(process.env.OPENUTM_HOSTED_ORIGINS)).map(normalizeOrigin);
  // What the file dates cannot tell: the options it was built with.
  const settings = JSON.stringify({ hostedOrigins });
  const files = exportFiles(p.webOut);
  const inputs = [p.bundle, p.webPackage, process.execPath, ...packagerSources()].map((f) => statSync(f).mtimeMs);
  inputs.push(...files.map((f) => f.mtimeMs), statSync(p.webOut).mtimeMs);
  const current = existsSync(p.exe) ? statSync(p.exe).mtimeMs : null;
  const sameSettings = existsSync(p.settings) && readFileSync(p.settings, 'utf8') === settings;
  if (!opts.force && sameSettings && !isStale(current, inputs)) {
    log(`${path.relative(process.cwd(), p.exe) || p.exe} is newer than its inputs; not rebuilt`);
    return { path: p.exe, rebuilt: false };
  }

  rmSync(p.workDir, { recursive: true, force: true });
  mkdirSync(p.workDir, { recursive: true });
  const uiVersion = (JSON.parse(readFileSync(p.webPackage, 'utf8')) as { version: string }).version;
  const manifestFile = path.join(p.workDir, 'ui-manifest.json');
  const { manifest, assets } = uiAssets(files, { version: uiVersion, hostedOrigins }, manifestFile);
  writeFileSync(manifestFile, JSON.stringify(manifest));
  log(`packing the UI ${uiVersion}: ${files.length} files, ${kib(files.reduce((n, f) => n + f.size, 0))}`);
  log(hostedOrigins.length > 0 ? `allowing the hosted UI at ${hostedOrigins.join(', ')}` : 'no hosted UI origin (set OPENUTM_HOSTED_ORIGINS to allow one)');

  const blob = path.join(p.workDir, 'openutm.blob');
  const configFile = path.join(p.workDir, 'sea-config.json');
  // The code cache spares V8 compiling the bundle at each start (see package.bench.ts).
  writeFileSync(configFile, JSON.stringify(seaConfig({ main: p.bundle, blob, assets, useCodeCache: true }), null, 2));
  log(`preparing the application blob with ${process.execPath} ${process.version}`);
  run({ what: 'prepare the blob', program: process.execPath, args: ['--experimental-sea-config', configFile] }, p.workDir);

  // Built next to the result and renamed at the end, so a failed build never leaves a broken
  // executable that looks fresh.
  const partial = path.join(p.workDir, path.basename(p.exe));
  copyFileSync(process.execPath, partial);
  chmodSync(partial, 0o755);
  for (const step of injectionSteps(p.os, partial, blob)) {
    log(step.what);
    if (!run(step, p.workDir)) log(`${step.program} is not installed; skipped (the executable works, it is only larger)`);
  }
  renameSync(partial, p.exe);
  writeFileSync(p.settings, settings);
  rmSync(p.workDir, { recursive: true, force: true });
  log(`built ${p.exe} (${mib(statSync(p.exe).size)})`);
  return { path: p.exe, rebuilt: true };
}

// Every file of the export, with forward-slash paths relative to its root.
function exportFiles(root: string): ExportFile[] {
  const out: ExportFile[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const absolute = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(absolute);
      else if (entry.isFile()) {
        const st = statSync(absolute);
        out.push({ path: path.relative(root, absolute).split(path.sep).join('/'), absolute, size: st.size, mtimeMs: st.mtimeMs });
      }
    }
  };
  walk(root);
  return out;
}

// A change to the packager changes what it builds.
function packagerSources(): string[] {
  const dir = path.dirname(fileURLToPath(import.meta.url));
  return ['sea-plan.ts', 'build-executable.ts', '../src/web-ui/ui-manifest.ts'].map((f) => path.join(dir, f));
}

// Runs one step; false when an optional program is not installed.
function run(step: PlanStep, cwd: string): boolean {
  const [program, args] =
    step.program === 'postject' ? [process.execPath, [createRequire(import.meta.url).resolve('postject/dist/cli.js'), ...step.args]] : [step.program, step.args];
  const r = spawnSync(program, args, { cwd, encoding: 'utf8' });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT' && step.optional) return false;
  if (r.error || r.status !== 0) {
    const output = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n').slice(-15).join('\n');
    throw new Error(`could not ${step.what} (${step.program} ${r.error ? r.error.message : `exited ${r.status}`})${output ? `:\n${output}` : ''}`);
  }
  return true;
}

const kib = (n: number) => `${(n / 1024).toFixed(0)} KiB`;
const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;
