import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { OpenUtmError, type VmConfig } from '@openutm/shared';

// A user-chosen file (ISO, kernel) as QEMU will see it: absolute, links resolved, a regular file.
// Resolving first means a later swap of a symlink cannot point QEMU somewhere else.
export async function resolveUserFile(p: string, what: string): Promise<string> {
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
  return real;
}

// Returns the config with every host path resolved, ready for the argument builder.
export async function resolveConfigPaths(config: VmConfig): Promise<VmConfig> {
  const removable = await Promise.all(
    config.removable.map(async (d) => ({ ...d, iso: d.iso === null ? null : await resolveUserFile(d.iso, 'ISO image') })),
  );
  const lb = config.linuxBoot;
  const linuxBoot =
    lb === null
      ? null
      : {
          ...lb,
          kernel: await resolveUserFile(lb.kernel, 'kernel'),
          initrd: lb.initrd === null ? null : await resolveUserFile(lb.initrd, 'initrd'),
        };
  return { ...config, removable, linuxBoot };
}
