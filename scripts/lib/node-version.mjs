// The oldest Node the code runs on, and what to say to someone with an older one. The floor is
// set by the newest API the helper uses: zlib.crc32 (PNG screenshots) came in Node 20.15.0 on
// the 20 line and 22.2.0 on the 22 line; node:sea's getRawAsset (the single executable's UI) in
// 20.12.0, Next.js 16 needs 20.9.0. Node 21 never had crc32 and is out of support.
export const NODE_ENGINES = '^20.15.0 || >=22.2.0';
const FLOORS = [
  [20, 15],
  [22, 2],
];

// "v20.11.1" → [20, 11, 1]; null for anything else.
export function parseNodeVersion(version) {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : null;
}

// Whether a Node version satisfies NODE_ENGINES.
export function nodeVersionOk(version) {
  const v = parseNodeVersion(version);
  if (!v) return false;
  const [major, minor] = v;
  if (major === 20) return minor >= FLOORS[0][1];
  if (major === 21) return false;
  if (major === 22) return minor >= FLOORS[1][1];
  return major > 22;
}

// The message for a Node too old to run OpenUTM (null when it is new enough): the version
// needed, and how to get it where the quick start is written for (Debian, Ubuntu).
export function nodeVersionProblem(version) {
  if (nodeVersionOk(version)) return null;
  return [
    `OpenUTM needs Node.js 20.15 or newer (20.15+ or 22.2+; ${NODE_ENGINES}); this is Node ${version}.`,
    'On Debian 13 (trixie) or Ubuntu 25.04 and newer, the distribution\'s Node is new enough:',
    '  sudo apt-get install nodejs npm',
    'On Debian 12, Ubuntu 24.04 or 22.04 (their Node is 18), install Node 22 from NodeSource:',
    '  curl -fsSL https://deb.nodesource.com/setup_22.x | sudo -E bash -',
    '  sudo apt-get install -y nodejs',
    'Elsewhere: https://nodejs.org/en/download (or nvm: `nvm install 22`). Then run the command again.',
  ].join('\n');
}
