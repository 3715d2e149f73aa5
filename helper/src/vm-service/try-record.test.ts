import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { DiskConfig, VmConfig } from '@openutm/shared';
import { presetConfig } from '../qemu-args/testing/vm-fixtures';
import { overlayFiles, planTryRecord, readTryRecord, TRY_RECORD_FILE, writeTryRecord } from './try-record';

const disk = (id: string, extra: Partial<DiskConfig> = {}): DiskConfig => ({ id, file: `${id}.qcow2`, format: 'qcow2', sizeMiB: 64, interface: 'virtio', readOnly: false, ...extra });
const config = (disks: DiskConfig[]): VmConfig => presetConfig('linux-server', (c) => ({ ...c, disks }));
const now = new Date('2025-01-02T03:04:05.000Z');

describe('planTryRecord', () => {
  const cases: Array<{ name: string; disks: DiskConfig[]; efi: boolean; overlays: Record<string, string>; efiCopy: string | null }> = [
    { name: 'an overlay per writable disk, named by disk id', disks: [disk('sys'), disk('data', { format: 'raw', file: 'data, ü.img' })], efi: true, overlays: { sys: 'try-sys.qcow2', data: 'try-data.qcow2' }, efiCopy: 'efi-vars.try.fd' },
    { name: 'read-only disks get none', disks: [disk('sys'), disk('ro', { readOnly: true })], efi: false, overlays: { sys: 'try-sys.qcow2' }, efiCopy: null },
    { name: 'a VM without disks still has a try (its UEFI variables)', disks: [], efi: true, overlays: {}, efiCopy: 'efi-vars.try.fd' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const record = planTryRecord(config(c.disks), c.efi, now);
      assert.deepEqual(overlayFiles(record), c.overlays);
      assert.equal(record.efiVars?.copy ?? null, c.efiCopy);
      assert.equal(record.keeping, false);
      assert.ok(record.disks.every((d) => !d.committed));
      assert.equal(record.startedAt, now.toISOString());
    });
  }

  it('refuses when a disk file already has an overlay name', () => {
    assert.throws(() => planTryRecord(config([disk('sys'), disk('other', { file: 'try-sys.qcow2' })]), false, now), (e: { code?: string }) => e.code === 'CONFLICT');
  });
});

describe('readTryRecord', () => {
  it('no record is null, a written one reads back, a damaged one is an error that names the overlays', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'openutm-try-record-'));
    try {
      assert.equal(await readTryRecord(dir), null);
      const record = planTryRecord(config([disk('sys')]), true, now);
      await writeTryRecord(dir, record);
      assert.deepEqual(await readTryRecord(dir), record);
      for (const bad of ['{', '{"version":2}', '']) {
        await writeFile(path.join(dir, TRY_RECORD_FILE), bad);
        await assert.rejects(readTryRecord(dir), (e: { code?: string; message: string }) => e.code === 'CONFIG_INVALID' && /try-\*\.qcow2/.test(e.message));
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
