// The single executable, planned as data: names, the SEA config, the asset list and the
// commands per OS. Pure, so the macOS and Windows plans are tested here on Linux; the I/O is in
// build-executable.ts.
import { assetKeyFor, isServablePath, UI_MANIFEST_ASSET, type UiManifest } from '../src/web-ui/ui-manifest';

export type TargetOs = 'linux' | 'darwin' | 'win32';

// The sentinel Node looks for to know a blob was injected (docs: Single executable applications).
export const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';
export const SEA_RESOURCE = 'NODE_SEA_BLOB';
// Assets need Node 20.12 / 21.7; older Nodes build an executable that cannot serve the UI.
export const MIN_NODE = [20, 12] as const;

// One command the packager runs; `program` 'postject' means the postject devDependency.
export interface PlanStep {
  what: string;
  program: string;
  args: string[];
  // Skipped (with a note) when the program is not installed: the result works, only larger.
  optional?: boolean;
}

const OS_NAMES: Record<TargetOs, string> = { linux: 'linux', darwin: 'macos', win32: 'win' };

// dist/openutm-linux-x64, dist/openutm-macos-arm64, dist/openutm-win-x64.exe: one name per
// release download, so SHA256SUMS lines say which OS they are for.
export function executableName(os: TargetOs, arch: string): string {
  return `openutm-${OS_NAMES[os]}-${arch}${os === 'win32' ? '.exe' : ''}`;
}

export function isTargetOs(platform: string): platform is TargetOs {
  return Object.hasOwn(OS_NAMES, platform);
}

// Whether this Node can build an executable that carries assets.
export function nodeSupportsAssets(version: string): boolean {
  const [major = 0, minor = 0] = version.replace(/^v/, '').split('.').map(Number);
  return major > MIN_NODE[0] || (major === MIN_NODE[0] && minor >= MIN_NODE[1]);
}

// The file `node --experimental-sea-config` reads.
export interface SeaConfig {
  main: string;
  output: string;
  disableExperimentalSEAWarning: true;
  useCodeCache: boolean;
  assets: Record<string, string>;
}

export function seaConfig(opts: { main: string; blob: string; assets: Record<string, string>; useCodeCache: boolean }): SeaConfig {
  return { main: opts.main, output: opts.blob, disableExperimentalSEAWarning: true, useCodeCache: opts.useCodeCache, assets: opts.assets };
}

// One file of the web export as the packager found it.
export interface ExportFile {
  // Relative to the export's root, with forward slashes.
  path: string;
  absolute: string;
  size: number;
  mtimeMs: number;
}

// The UI's manifest and the assets to pack: every file of the export under its own key, plus
// the manifest itself (written to `manifestFile`). A file a request could never name is an
// error here, not a silent gap in the app.
export function uiAssets(
  files: readonly ExportFile[],
  ui: { version: string; hostedOrigins: readonly string[] },
  manifestFile: string,
): { manifest: UiManifest; assets: Record<string, string> } {
  const bad = files.find((f) => !isServablePath(f.path));
  if (bad) throw new Error(`the web export holds ${bad.path}, which no request path can name; rename it in web/ and rebuild`);
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const manifest: UiManifest = {
    format: 1,
    uiVersion: ui.version,
    hostedOrigins: [...ui.hostedOrigins],
    files: sorted.map((f) => ({ path: f.path, asset: assetKeyFor(f.path), size: f.size, mtimeMs: Math.floor(f.mtimeMs) })),
  };
  const assets: Record<string, string> = { [UI_MANIFEST_ASSET]: manifestFile };
  for (const f of sorted) assets[assetKeyFor(f.path)] = f.absolute;
  return { manifest, assets };
}

// The commands that turn a copy of the node binary into the executable, in order.
// - Linux: drop debug symbols first (Debian's node carries ~12 MB of them); injecting after
//   stripping keeps the blob, stripping after would not.
// - macOS: the copy carries Node's signature, which the injection invalidates; remove it, inject
//   into the NODE_SEA segment, then sign ad hoc (arm64 refuses to run unsigned code).
// - Windows: inject into the .exe's resources; the result is unsigned, as the release notes say.
export function injectionSteps(os: TargetOs, exe: string, blob: string): PlanStep[] {
  const postject: PlanStep = {
    what: 'inject the application blob',
    program: 'postject',
    args: [exe, SEA_RESOURCE, blob, '--sentinel-fuse', SEA_FUSE, ...(os === 'darwin' ? ['--macho-segment-name', 'NODE_SEA'] : [])],
  };
  switch (os) {
    case 'linux':
      return [{ what: 'strip debug symbols', program: 'strip', args: [exe], optional: true }, postject];
    case 'darwin':
      return [
        { what: "remove node's signature", program: 'codesign', args: ['--remove-signature', exe] },
        postject,
        { what: 'sign ad hoc', program: 'codesign', args: ['--sign', '-', exe] },
      ];
    case 'win32':
      return [postject];
  }
}

// Whether the executable must be rebuilt: it is missing, or an input changed after it.
export function isStale(outputMtimeMs: number | null, inputMtimesMs: readonly number[]): boolean {
  return outputMtimeMs === null || inputMtimesMs.some((t) => t > outputMtimeMs);
}
