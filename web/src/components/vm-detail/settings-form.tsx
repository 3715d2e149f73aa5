'use client';

import { canPerform, FEATURES, OsPreset, PRESETS, whyNot, type VmSummary } from '@openutm/shared';
import { useMemo, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { missingFeature } from '../../helper-client/capabilities';
import { errorMessage } from '../../helper-client/client-errors';
import { useConnection } from '../../stores/connection-store';
import { vmEdit } from '../../helper-client/settings-api';
import { BUTTON, CheckField, SelectField, TextField } from '../form/fields';
import { PortForwardsEditor } from '../form/port-forwards';
import { draftToEdit, editErrors, settingsDraft, type SettingsDraft } from './settings-draft';

type SaveState = { kind: 'idle' } | { kind: 'saving' } | { kind: 'saved' } | { kind: 'failed'; message: string };

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <fieldset className="rounded-xl border border-neutral-200 p-4 dark:border-neutral-800">
      <legend className="px-1 text-sm font-semibold">{title}</legend>
      <div className="grid gap-4 sm:grid-cols-2">{children}</div>
    </fieldset>
  );
}

// Every field of the VM's config. Stop-only fields are disabled while the VM runs, with the
// reason shared's whyNot gives; name and notes stay editable. Only changed sections are sent.
export function SettingsForm({ vm, connected }: { vm: VmSummary; connected: boolean }) {
  const { config, status } = vm;
  const [draft, setDraft] = useState<SettingsDraft>(() => settingsDraft(config));
  const [baseline, setBaseline] = useState(config.updatedAt);
  const [attempted, setAttempted] = useState(false);
  const [save, setSave] = useState<SaveState>({ kind: 'idle' });
  const formRef = useRef<HTMLFormElement>(null);
  // An older helper would drop a preset change without a word.
  const presetUnsupported = missingFeature(FEATURES.driveEdits, 'change the operating system label', useConnection().welcome);

  // A newer config from the helper (our save or anyone's) becomes the form's starting point.
  if (baseline !== config.updatedAt) {
    setBaseline(config.updatedAt);
    setDraft(settingsDraft(config));
  }

  const edit = useMemo(() => draftToEdit(config, draft), [config, draft]);
  const errors = useMemo(() => (attempted ? editErrors(edit, draft) : {}), [attempted, edit, draft]);
  const changed = Object.keys(edit).length > 0;
  const locked = !canPerform(status.state, 'edit');
  const lockReason = whyNot(status.state, 'edit');
  const liveLocked = !connected || !canPerform(status.state, 'editLive');
  const off = locked || !connected;
  const update = (change: Partial<SettingsDraft>) => {
    setSave({ kind: 'idle' });
    setDraft((d) => ({ ...d, ...change }));
  };
  const e = (k: string) => errors[k];

  async function onSubmit(ev: FormEvent) {
    ev.preventDefault();
    setAttempted(true);
    if (Object.keys(editErrors(edit, draft)).length > 0) {
      requestAnimationFrame(() => formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
      return;
    }
    if (!changed) return;
    setSave({ kind: 'saving' });
    try {
      await vmEdit(config.id, edit);
      setSave({ kind: 'saved' });
    } catch (err) {
      setSave({ kind: 'failed', message: errorMessage(err) });
    }
  }

  return (
    <form ref={formRef} onSubmit={(ev) => void onSubmit(ev)} noValidate aria-labelledby="settings-title" className="space-y-4">
      <div className="flex min-h-10 flex-wrap items-center gap-3">
        <h2 id="settings-title" className="mr-auto text-lg font-semibold">
          Settings
        </h2>
        <p role="status" className="text-sm" data-testid="settings-status">
          {save.kind === 'saving' && 'Saving…'}
          {save.kind === 'saved' && <span className="text-emerald-700 dark:text-emerald-400">Saved.</span>}
          {save.kind === 'failed' && <span className="text-red-700 dark:text-red-400">Not saved: {save.message}</span>}
        </p>
        <button type="button" className={BUTTON.secondary} disabled={!changed || save.kind === 'saving'} onClick={() => setDraft(settingsDraft(config))}>
          Revert
        </button>
        <button type="submit" className={BUTTON.primary} disabled={!changed || save.kind === 'saving' || !connected}>
          Save changes
        </button>
      </div>
      {locked && lockReason && (
        <p data-testid="edit-locked" className="rounded-lg border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100">
          Most settings are locked: {lockReason}. The name, the notes and the disc in the CD drive can change now.
        </p>
      )}
      <Section title="General">
        <TextField label="Name" name="name" value={draft.name} onChange={(name) => update({ name })} error={e('name')} disabled={liveLocked} />
        <div>
          <label htmlFor="vm-notes" className="mb-1 block text-sm font-medium">
            Notes
          </label>
          <textarea id="vm-notes" name="notes" rows={2} value={draft.notes} disabled={liveLocked} onChange={(ev) => update({ notes: ev.target.value })} className="w-full rounded-lg border border-neutral-300 bg-white px-3 py-2 text-sm disabled:opacity-60 dark:border-neutral-700 dark:bg-neutral-900" />
        </div>
      </Section>
      <fieldset disabled={off} className="space-y-4" aria-describedby={locked ? 'settings-lock' : undefined}>
        <span id="settings-lock" className="sr-only">
          {lockReason}
        </span>
        <Section title="System">
          <SelectField className="sm:col-span-2" label="Operating system" name="preset" value={draft.preset} onChange={(preset) => update({ preset })} options={OsPreset.options.map((p) => ({ value: p, label: PRESETS[p].label }))} hint={presetUnsupported ?? "Sets the VM's icon and label; the other settings stay as they are."} disabled={presetUnsupported !== null} />
          <SelectField label="Architecture" name="architecture" value={draft.architecture} onChange={(architecture) => update({ architecture })} options={[{ value: 'x86_64', label: 'x86_64' }, { value: 'aarch64', label: 'aarch64' }]} />
          <SelectField label="Machine" name="machine" value={draft.machine} onChange={(machine) => update({ machine })} options={['default', 'q35', 'pc', 'virt'].map((v) => ({ value: v as SettingsDraft['machine'], label: v }))} />
          <SelectField label="Accelerator" name="accelerator" value={draft.accelerator} onChange={(accelerator) => update({ accelerator })} options={['auto', 'kvm', 'hvf', 'whpx', 'tcg'].map((v) => ({ value: v as SettingsDraft['accelerator'], label: v }))} />
          <TextField label="CPU model" name="cpuModel" value={draft.cpuModel} onChange={(cpuModel) => update({ cpuModel })} error={e('cpuModel')} hint="default, host, max or a QEMU model name" />
          <TextField label="CPUs" name="cpus" type="number" min={1} max={256} value={draft.cpus} onChange={(cpus) => update({ cpus })} error={e('cpus')} />
          <TextField label="Memory" name="memoryMiB" type="number" min={16} step={256} suffix="MiB" value={draft.memoryMiB} onChange={(memoryMiB) => update({ memoryMiB })} error={e('memoryMiB')} />
          <SelectField label="Firmware" name="firmware" value={draft.firmware} onChange={(firmware) => update({ firmware })} options={[{ value: 'bios', label: 'BIOS' }, { value: 'uefi', label: 'UEFI' }]} />
          <div className="space-y-2 pt-6">
            <CheckField label="TPM 2.0" name="tpm" checked={draft.tpm} onChange={(tpm) => update({ tpm })} />
            <CheckField label="Secure Boot" name="secureBoot" checked={draft.firmware === 'uefi' && draft.secureBoot} disabled={draft.firmware !== 'uefi'} onChange={(secureBoot) => update({ secureBoot })} />
          </div>
        </Section>
        <Section title="Boot">
          <SelectField label="Boot from" name="boot" value={draft.boot} onChange={(boot) => update({ boot })} options={[{ value: 'auto', label: 'Automatic (disc first while one is inserted)' }, { value: 'cdrom', label: 'CD drive' }, { value: 'disk', label: 'Disk' }]} />
          <CheckField className="pt-6" label="Boot a Linux kernel directly" name="linuxBootEnabled" checked={draft.linuxBootEnabled} onChange={(linuxBootEnabled) => update({ linuxBootEnabled })} />
          {draft.linuxBootEnabled && (
            <>
              <TextField label="Kernel" name="kernel" value={draft.kernel} onChange={(kernel) => update({ kernel })} error={e('kernel')} />
              <TextField label="Initrd" name="initrd" value={draft.initrd} onChange={(initrd) => update({ initrd })} error={e('initrd')} />
              <TextField className="sm:col-span-2" label="Kernel command line" name="cmdline" value={draft.cmdline} onChange={(cmdline) => update({ cmdline })} error={e('cmdline')} />
            </>
          )}
        </Section>
        <Section title="Network">
          <SelectField label="Network" name="networkMode" value={draft.networkMode} onChange={(networkMode) => update({ networkMode })} options={[{ value: 'user', label: 'Shared (NAT)' }, { value: 'none', label: 'No network' }]} />
          <SelectField label="Network card" name="nic" value={draft.nic} onChange={(nic) => update({ nic })} options={['virtio-net-pci', 'e1000e', 'e1000', 'rtl8139'].map((v) => ({ value: v as SettingsDraft['nic'], label: v }))} />
          <TextField label="MAC address" name="mac" value={draft.mac} onChange={(mac) => update({ mac })} error={e('mac')} placeholder="automatic" />
          <div className="sm:col-span-2">
            <PortForwardsEditor forwards={draft.portForwards} onChange={(portForwards) => update({ portForwards })} errorFor={(i, f) => e(`portForwards.${i}.${f}`)} disabled={off || draft.networkMode === 'none'} />
          </div>
        </Section>
        <Section title="Display, sound and input">
          <SelectField label="Display" name="displayType" value={draft.displayType} onChange={(displayType) => update({ displayType })} options={[{ value: 'spice', label: 'SPICE' }, { value: 'vnc', label: 'VNC' }, { value: 'none', label: 'None' }]} />
          <SelectField label="Graphics card" name="displayDevice" value={draft.displayDevice} onChange={(displayDevice) => update({ displayDevice })} options={['default', 'virtio-vga', 'qxl-vga', 'VGA', 'virtio-gpu-pci', 'ramfb'].map((v) => ({ value: v as SettingsDraft['displayDevice'], label: v }))} />
          <CheckField label="Sound" name="soundEnabled" checked={draft.soundEnabled} onChange={(soundEnabled) => update({ soundEnabled })} />
          <SelectField label="Sound card" name="soundDevice" value={draft.soundDevice} disabled={!draft.soundEnabled} onChange={(soundDevice) => update({ soundDevice })} options={['intel-hda', 'ich9-intel-hda', 'AC97'].map((v) => ({ value: v as SettingsDraft['soundDevice'], label: v }))} />
          <CheckField label="USB tablet (pointer follows the browser's)" name="usbTablet" checked={draft.usbTablet} onChange={(usbTablet) => update({ usbTablet })} />
          <CheckField label="SPICE agent (clipboard, resize)" name="spiceAgent" checked={draft.spiceAgent} onChange={(spiceAgent) => update({ spiceAgent })} />
          <CheckField label="QEMU guest agent" name="guestAgent" checked={draft.guestAgent} onChange={(guestAgent) => update({ guestAgent })} />
        </Section>
      </fieldset>
    </form>
  );
}
