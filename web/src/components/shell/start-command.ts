// How a person starts the helper on the computer this page runs on. The platform comes from the
// user agent (navigator.platform is deprecated and empty in some browsers).
export type HostPlatform = 'windows' | 'macos' | 'linux';

export function hostPlatform(userAgent: string): HostPlatform {
  if (/Windows/i.test(userAgent)) return 'windows';
  if (/Mac OS X|Macintosh/i.test(userAgent)) return 'macos';
  return 'linux';
}

// The command to type; in a checkout of the repository `npm start` does the same.
export function startCommand(platform: HostPlatform): string {
  switch (platform) {
    case 'windows':
      return 'openutm.exe serve';
    case 'macos':
    case 'linux':
      return 'openutm serve';
  }
}
