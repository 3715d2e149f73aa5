'use client';

import type { DiskInterface, VmEditRequest } from '@openutm/shared';
import { useState } from 'react';
import { BUTTON, SelectField, TextField } from '../form/fields';
import { folderOf, HostFileChooser } from '../wizard/host-file-chooser';
import { DISK_INTERFACES } from './disk-draft';

// The format a file name suggests; the person can change it, and the helper checks it with
// qemu-img info before copying (it never guesses from the contents).
export function formatFromName(file: string): 'qcow2' | 'raw' {
  return /\.qcow2?$/i.test(file.trim()) ? 'qcow2' : 'raw';
}

// Copies a disk image from elsewhere on the helper's computer into the VM's folder.
export function ImportDiskForm({ lockedBecause, busy, apply, presetInterface }: { lockedBecause: string | null; busy: boolean; apply: (edit: VmEditRequest) => Promise<boolean>; presetInterface: DiskInterface }) {
  const [file, setFile] = useState('');
  const [format, setFormat] = useState<'qcow2' | 'raw'>('qcow2');
  const [iface, setIface] = useState<DiskInterface>(presetInterface);
  const [choosing, setChoosing] = useState(false);
  const off = lockedBecause !== null || busy;
  const choose = (p: string) => {
    setFile(p);
    setFormat(formatFromName(p));
  };
  return (
    <form
      aria-label="Import a disk image"
      className="grid items-start gap-3 rounded-xl border border-dashed border-neutral-300 p-4 sm:grid-cols-[2fr_auto_1fr_auto] dark:border-neutral-700"
      onSubmit={async (e) => {
        e.preventDefault();
        if (off || file.trim() === '') return;
        if (await apply({ disks: { import: [{ path: file.trim(), format, interface: iface }] } })) setFile('');
      }}
    >
      <TextField
        label="Image on this computer"
        name="importPath"
        value={file}
        onChange={choose}
        placeholder="/path/to/disk.qcow2"
        disabled={off}
        hint="Copied into the VM's folder; the original is left as it is."
        after={
          <button type="button" className={BUTTON.secondary} disabled={off} onClick={() => setChoosing(true)}>
            Browse…
          </button>
        }
      />
      <SelectField label="Image format" name="importFormat" value={format} onChange={setFormat} options={[{ value: 'qcow2', label: 'qcow2' }, { value: 'raw', label: 'raw' }]} disabled={off} />
      <SelectField label="Imported disk interface" name="importInterface" value={iface} onChange={setIface} options={DISK_INTERFACES} disabled={off} />
      <button type="submit" className={`${BUTTON.secondary} sm:mt-6`} disabled={off || file.trim() === ''} title={lockedBecause ?? undefined}>
        Copy into this VM
      </button>
      <HostFileChooser
        open={choosing}
        startPath={file ? folderOf(file) : undefined}
        onClose={() => setChoosing(false)}
        onChoose={(p) => {
          setChoosing(false);
          choose(p);
        }}
      />
    </form>
  );
}
