import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { OpenUtmError, type VmConfig } from '@openutm/shared';
import { assertNotHelperFile, type HelperFileGuard } from './helper-files';

// A user-chosen file (ISO, kernel) as QEMU will see it: absolute, links resolved, a regular file.
// Resolving first means a later swap of a symlink cannot point QEMU somewhere else; the helper's
// own files (secrets, sockets, other VMs' folders) are refused by their real path (helper-files.ts).
export async function resolveUserFile(p: string, what: string, guard: HelperFileGuard): Promise<string> {
  if (!path.isAbsolute(p)) {
    throw new OpenUtmError('UNSAFE_PATH', `the ${what} path must be absolute, got ${JSON.stringify(p)}`);
  }
  let real: string;
  try {
    real = await realpath(p);
  } catch {
    throw new OpenUtmError('NOT_FOUND', `the ${what} ${p} does not exist; choose another file`);
  }
  const info = await stat(real);
  if (!info.isFile()) {
    throw new OpenUtmError('UNSAFE_PATH', `the ${what} ${p} is not a regular file`);
  }
  await assertNotHelperFile(real, p, what, guard);
  return real;
}

// Returns the config with every host path resolved, ready for the argument builder.
export async function resolveConfigPaths(config: VmConfig, guard: HelperFileGuard): Promise<VmConfig> {
  const removable = await Promise.all(
    config.removable.map(async (d) => ({ ...d, iso: d.iso === null ? null : await resolveUserFile(d.iso, 'ISO image', guard) })),
  );
  const lb = config.linuxBoot;
  const linuxBoot =
    lb === null
      ? null
      : {
          ...lb,
          kernel: await resolveUserFile(lb.kernel, 'kernel', guard),
          initrd: lb.initrd === null ? null : await resolveUserFile(lb.initrd, 'initrd', guard),
        };
  return { ...config, removable, linuxBoot };
}
