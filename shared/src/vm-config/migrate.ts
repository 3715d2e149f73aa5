import { VmConfig, VM_CONFIG_SCHEMA_VERSION } from './schema';
import { OpenUtmError } from '../errors';

// Each step takes a vN document to vN+1; index N holds the step from version N. Pure functions only.
export type Migration = (doc: Record<string, unknown>) => Record<string, unknown>;
// Version 1 is the first released format, so there is nothing to migrate from yet.
export const MIGRATIONS: readonly Migration[] = [];

// Reads any vm.json this or an older helper wrote; refuses newer ones instead of guessing.
export function migrateVmConfig(raw: unknown, migrations: readonly Migration[] = MIGRATIONS): VmConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new OpenUtmError('CONFIG_INVALID', 'vm.json must hold a JSON object');
  }
  let doc = raw as Record<string, unknown>;
  const version = doc.schemaVersion;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 0) {
    throw new OpenUtmError('CONFIG_INVALID', `vm.json has no valid schemaVersion (found ${JSON.stringify(version)})`);
  }
  if (version > VM_CONFIG_SCHEMA_VERSION) {
    throw new OpenUtmError(
      'CONFIG_TOO_NEW',
      `this VM was saved by a newer OpenUTM (config version ${version}; this helper reads up to ${VM_CONFIG_SCHEMA_VERSION}). Update the helper to open it.`,
    );
  }
  for (let v = version; v < VM_CONFIG_SCHEMA_VERSION; v++) {
    const step = migrations[v];
    if (!step) {
      throw new OpenUtmError('CONFIG_INVALID', `vm.json has config version ${v}, which no OpenUTM release wrote`);
    }
    doc = step(doc);
  }
  const parsed = VmConfig.safeParse(doc);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new OpenUtmError('CONFIG_INVALID', `vm.json does not match the config schema: ${issues.join('; ')}`, { issues });
  }
  return parsed.data;
}
