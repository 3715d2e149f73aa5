import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface BootDiscs {
  biosOnly: string;
  uefiOnly: string;
  data: string;
}

// Three small ISOs made by xorriso (a TEST_PACKAGES entry): one with only a BIOS El Torito entry,
// one with only an EFI entry, one with no boot record at all. The boot images are placeholders:
// what is tested is which firmware the catalogue names, not that the image runs.
// execFileSync: a one-off build step in a test, waited on in place.
export function buildBootDiscs(dir: string): BootDiscs {
  const tree = path.join(dir, 'tree');
  mkdirSync(tree, { recursive: true });
  writeFileSync(path.join(tree, 'boot.img'), Buffer.alloc(2048));
  writeFileSync(path.join(tree, 'efi.img'), Buffer.alloc(64 * 1024));
  writeFileSync(path.join(tree, 'README.txt'), 'a disc for tests\n');
  const make = (name: string, ...bootArgs: string[]) => {
    const out = path.join(dir, name);
    execFileSync('xorriso', ['-as', 'mkisofs', '-quiet', '-V', 'TESTDISC', ...bootArgs, '-o', out, tree], { stdio: 'pipe' });
    return out;
  };
  return {
    biosOnly: make('bios-only.iso', '-b', 'boot.img', '-no-emul-boot', '-boot-load-size', '4'),
    uefiOnly: make('uefi-only.iso', '-e', 'efi.img', '-no-emul-boot'),
    data: make('data-disc.iso'),
  };
}
