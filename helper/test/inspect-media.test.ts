import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { firmwareForDisc, discFirmwareProblem } from '@openutm/shared';
import { inspectMedia } from '../src/host/inspect-media';
import type { HelperFileGuard } from '../src/vm-service/helper-files';
import { buildBootDiscs, type BootDiscs } from './support/boot-discs';
import { testGuest } from './support/test-guest';

// host.inspectMedia on real ISOs: the test guest's (BIOS and EFI, made by grub-mkrescue) and
// xorriso-built discs with one entry each or none.
let dir: string;
let discs: BootDiscs;
// The helper's own places sit beside the discs, as they would on a real host.
const guard: HelperFileGuard = {
  places: async () => ({ libraryRoot: path.join(dir, 'library'), runtimeRoot: path.join(dir, 'runtime'), configDirs: [], secretsId: null }),
  ownVm: null,
};
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'openutm-discs-'));
  discs = buildBootDiscs(dir);
});
after(() => rm(dir, { recursive: true, force: true }));

test('the test guest ISO boots with BIOS and UEFI, so a UEFI preset keeps UEFI', async () => {
  const boot = await inspectMedia(testGuest().iso, guard);
  assert.deepEqual([boot.format, boot.bios, boot.uefi], ['iso9660', true, true]);
  assert.equal(firmwareForDisc('uefi', boot), 'uefi');
  assert.equal(discFirmwareProblem('uefi', boot), null);
});

test('a BIOS-only disc gets BIOS, and UEFI with it is explained', async () => {
  const boot = await inspectMedia(discs.biosOnly, guard);
  assert.deepEqual([boot.format, boot.bios, boot.uefi], ['iso9660', true, false]);
  assert.equal(firmwareForDisc('uefi', boot), 'bios');
  assert.match(discFirmwareProblem('uefi', boot) ?? '', /boots only with BIOS.*UEFI shell.*Set the firmware to BIOS/);
});

test('a UEFI-only disc gets UEFI even from a BIOS preset', async () => {
  const boot = await inspectMedia(discs.uefiOnly, guard);
  assert.deepEqual([boot.bios, boot.uefi], [false, true]);
  assert.equal(firmwareForDisc('bios', boot), 'uefi');
});

test('a disc without a boot record is explained, and the preset firmware is kept', async () => {
  const boot = await inspectMedia(discs.data, guard);
  assert.deepEqual([boot.format, boot.bios, boot.uefi], ['iso9660', false, false]);
  assert.equal(firmwareForDisc('uefi', boot), 'uefi');
  assert.match(discFirmwareProblem('uefi', boot) ?? '', /no boot record/);
});

test('a file that is not ISO 9660, a tiny file, a missing file, a relative path and a folder', async () => {
  const text = path.join(dir, 'notes.iso');
  await writeFile(text, 'just text\n'.repeat(5000));
  assert.deepEqual(await inspectMedia(text, guard), { path: text, format: 'unknown', bios: false, uefi: false });
  const tiny = path.join(dir, 'tiny.iso');
  await writeFile(tiny, 'x');
  assert.equal((await inspectMedia(tiny, guard)).format, 'unknown');
  await assert.rejects(inspectMedia(path.join(dir, 'missing.iso'), guard), { code: 'NOT_FOUND', message: /does not exist; choose another file/ });
  await assert.rejects(inspectMedia('discs/a.iso', guard), { code: 'UNSAFE_PATH' });
  await assert.rejects(inspectMedia(dir, guard), { code: 'UNSAFE_PATH', message: /not a regular file/ });
});

test('a link is followed to the disc it names', async () => {
  const link = path.join(dir, 'link.iso');
  await symlink(discs.biosOnly, link);
  assert.deepEqual(await inspectMedia(link, guard), { path: discs.biosOnly, format: 'iso9660', bios: true, uefi: false });
});

test('a disc image inside the helper\'s own places is refused, as for any ISO', async () => {
  const own = path.join(dir, 'runtime', 'vm1', 'stolen.iso');
  await mkdir(path.dirname(own), { recursive: true });
  await writeFile(own, 'x'.repeat(40_000));
  await assert.rejects(inspectMedia(own, guard), { code: 'UNSAFE_PATH', message: /runtime folder/ });
});
