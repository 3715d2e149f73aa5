import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { HostPlace } from '@openutm/shared';

// The file chooser's shortcuts: home, Downloads (where ISOs land) and the folders where this OS
// mounts USB sticks and DVDs, each only where it exists.
export function hostPlaces(home: string, user = os.userInfo().username, exists: (p: string) => boolean = existsSync, platform = process.platform): HostPlace[] {
  const p = platform === 'win32' ? path.win32 : path.posix;
  const removable =
    platform === 'darwin' ? ['/Volumes'] : platform === 'win32' ? [] : [`/media/${user}`, `/run/media/${user}`, '/media', '/mnt'];
  const places: HostPlace[] = [
    { name: 'Home', path: home, kind: 'home' },
    { name: 'Downloads', path: p.join(home, 'Downloads'), kind: 'downloads' },
  ];
  // /media is shown only when /media/<user> is not: the same sticks, one level up.
  const mounts = removable.filter(exists);
  const shown = mounts.includes(`/media/${user}`) ? mounts.filter((m) => m !== '/media') : mounts;
  places.push(...shown.map((m) => ({ name: m === '/mnt' ? 'Mounted drives' : 'Removable media', path: m, kind: 'removable' as const })));
  return places.filter((pl) => pl.kind === 'removable' || exists(pl.path));
}
