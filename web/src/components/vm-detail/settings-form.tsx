'use client';

import { canPerform, FEATURES, KEYBOARD_LAYOUT_NAMES, KeyboardLayout, OsPreset, PRESETS, whyNot, type VmSummary } from '@openutm/shared';
import { useEffect, useMemo, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { missingFeature } from '../../helper-client/capabilities';
import { errorMessage } from '../../helper-client/client-errors';
import { useConnection } from '../../stores/connection-store';
import { vmEdit } from '../../helper-client/settings-api';
import { CheckField, SelectField, TextField } from '../form/fields';
import { PortForwardsEditor } from '../form/port-forwards';
import { ACCELERATOR_LABELS, ARCHITECTURE_LABELS, BOOT_LABELS, DISPLAY_DEVICE_LABELS, DISPLAY_TYPE_LABELS, FIRMWARE_LABELS, MACHINE_LABELS, NETWORK_MODE_LABELS, NIC_LABELS, optionsOf, SOUND_DEVICE_LABELS } from '../format/config-labels';
import { SaveBar, type SaveState } from './save-bar';
import { draftToEdit, editErrors, settingsDraft, type SettingsDraft } from './settings-draft';
import { SettingsSection } from './settings-section';
import { formatMiB } from '../format/units';

// How long "Saved." stays in the save bar before the bar goes away.
const SAVED_NOTE_MS = 5_000;

// Every field of the VM's config, in the sections the page's sidebar lists; `drives` (their own
// forms) sit between Boot and Network. Stop-only fields are disabled while the VM runs, with the
// reason shared's whyNot gives at each section; name and notes stay editable. Only changed
// sections are sent. Two forms share one draft and one save, as forms cannot hold forms.
export function SettingsForm({ vm, connected, drives }: { vm: VmSummary; connected: boolean; drives: ReactNode }) {
  const { config, status } = vm;
  const [draft, setDraft] = useState<SettingsDraft>(() => settingsDraft(config));
  const [baseline, setBaseline] = useState(config.updatedAt);
  const [attempted, setAttempted] = useState(false);
  const [save, setSave] = useState<SaveState>({ kind: 'idle' });
  const formsRef = useRef<HTMLDivElement>(null);
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
  // A suspended VM keeps its hardware and media for its saved state, but may be renamed.
  const namesLocked = !connected || !canPerform(status.state, 'rename');
  const off = locked || !connected;
  const offReason = !connected ? 'not connected to the helper' : lockReason;
  const namesReason = !connected ? 'not connected to the helper' : whyNot(status.state, 'rename');

  useEffect(() => {
    if (save.kind !== 'saved') return;
    const timer = setTimeout(() => setSave({ kind: 'idle' }), SAVED_NOTE_MS);
    return () => clearTimeout(timer);
  }, [save]);
  const update = (change: Partial<SettingsDraft>) => {
    setSave({ kind: 'idle' });
    setDraft((d) => ({ ...d, ...change }));
  };
  const e = (k: string) => errors[k];

  async function onSubmit(ev: FormEvent) {
    ev.preventDefault();
    setAttempted(true);
    if (Object.keys(editErrors(edit, draft)).length > 0) {
      requestAnimationFrame(() => formsRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
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

  const submit = (ev: FormEvent) => void onSubmit(ev);
  return (
    <div ref={formsRef} className="space-y-6">
      <form onSubmit={submit} noValidate aria-label="Settings: general, system and boot" className="space-y-6">
        {locked && lockReason && (
          <p data-testid="edit-locked" className="rounded-lg border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100">
            Most settings are locked: {lockReason}. {status.state === 'suspended' ? 'The name and the notes can change now.' : 'The name, the notes, the keyboard layout and the disc in the CD drive can change now.'}
          </p>
        )}
        <SettingsSection id="general" title="General" locked={namesLocked ? namesReason : null}>
          <TextField label="Name" name="name" value={draft.name} onChange={(name) => update({ name })} error={e('name')} />
          <div>
            <label htmlFor="vm-notes" className="mb-1 block text-sm font-medium">
              Notes
            </label>
            <textarea id="vm-notes" name="notes" rows={2} value={draft.notes} onChange={(ev) => update({ notes: ev.target.value })} className="w-full rounded-lg border border-neutral-300 bg-white px-3 py-2 text-sm disabled:cursor-not-allowed disabled:opacity-60 dark:border-neutral-700 dark:bg-neutral-900" />
          </div>
          <SelectField label="Keyboard layout" name="keyboardLayout" value={draft.keyboardLayout} onChange={(keyboardLayout) => update({ keyboardLayout })} options={KeyboardLayout.options.map((l) => ({ value: l, label: KEYBOARD_LAYOUT_NAMES[l] }))} hint="The guest's layout: Paste as keys presses the keys that type each character in it." />
        </SettingsSection>
        <SettingsSection id="system" title="System" locked={off ? offReason : null}>
          <SelectField className="sm:col-span-2" label="Operating system" name="preset" value={draft.preset} onChange={(preset) => update({ preset })} options={OsPreset.options.map((p) => ({ value: p, label: PRESETS[p].label }))} hint={presetUnsupported ?? "Sets the VM's icon and label; the other settings stay as they are."} disabled={presetUnsupported !== null} />
          <SelectField label="Architecture" name="architecture" value={draft.architecture} onChange={(architecture) => update({ architecture })} options={optionsOf(ARCHITECTURE_LABELS)} />
          <SelectField label="Machine" name="machine" value={draft.machine} onChange={(machine) => update({ machine })} options={optionsOf(MACHINE_LABELS)} />
          <SelectField className="sm:col-span-2" label="Accelerator" name="accelerator" value={draft.accelerator} onChange={(accelerator) => update({ accelerator })} options={optionsOf(ACCELERATOR_LABELS)} />
          <TextField label="CPU model" name="cpuModel" value={draft.cpuModel} onChange={(cpuModel) => update({ cpuModel })} error={e('cpuModel')} hint="default, host, max or a QEMU model name" />
          <TextField label="CPUs" name="cpus" type="number" min={1} max={256} value={draft.cpus} onChange={(cpus) => update({ cpus })} error={e('cpus')} />
          <TextField label="Memory" name="memoryMiB" type="number" min={16} step={256} suffix="MiB" value={draft.memoryMiB} onChange={(memoryMiB) => update({ memoryMiB })} error={e('memoryMiB')} hint={memoryHint(draft.memoryMiB)} />
          <SelectField label="Firmware" name="firmware" value={draft.firmware} onChange={(firmware) => update({ firmware })} options={optionsOf(FIRMWARE_LABELS)} />
          <div className="space-y-2 sm:col-span-2">
            <CheckField label="TPM 2.0" name="tpm" checked={draft.tpm} onChange={(tpm) => update({ tpm })} />
            <CheckField label="Secure Boot" name="secureBoot" checked={draft.firmware === 'uefi' && draft.secureBoot} disabled={draft.firmware !== 'uefi'} onChange={(secureBoot) => update({ secureBoot })} />
          </div>
        </SettingsSection>
        <SettingsSection id="boot" title="Boot" locked={off ? offReason : null}>
          <SelectField label="Boot from" name="boot" value={draft.boot} onChange={(boot) => update({ boot })} options={optionsOf(BOOT_LABELS)} />
          <CheckField className="sm:pt-6" label="Boot a Linux kernel directly" name="linuxBootEnabled" checked={draft.linuxBootEnabled} onChange={(linuxBootEnabled) => update({ linuxBootEnabled })} />
          {draft.linuxBootEnabled && (
            <>
              <TextField label="Kernel" name="kernel" value={draft.kernel} onChange={(kernel) => update({ kernel })} error={e('kernel')} />
              <TextField label="Initrd" name="initrd" value={draft.initrd} onChange={(initrd) => update({ initrd })} error={e('initrd')} />
              <TextField className="sm:col-span-2" label="Kernel command line" name="cmdline" value={draft.cmdline} onChange={(cmdline) => update({ cmdline })} error={e('cmdline')} />
            </>
          )}
        </SettingsSection>
      </form>
      {drives}
      <form onSubmit={submit} noValidate aria-label="Settings: network, display and sound" className="space-y-6">
        <SettingsSection id="network" title="Network" locked={off ? offReason : null}>
          <SelectField label="Network" name="networkMode" value={draft.networkMode} onChange={(networkMode) => update({ networkMode })} options={optionsOf(NETWORK_MODE_LABELS)} />
          <SelectField label="Network card" name="nic" value={draft.nic} onChange={(nic) => update({ nic })} options={optionsOf(NIC_LABELS)} />
          <TextField label="MAC address" name="mac" value={draft.mac} onChange={(mac) => update({ mac })} error={e('mac')} placeholder="automatic" />
          <div className="sm:col-span-2">
            <PortForwardsEditor forwards={draft.portForwards} onChange={(portForwards) => update({ portForwards })} errorFor={(i, f) => e(`portForwards.${i}.${f}`)} disabled={off || draft.networkMode === 'none'} />
          </div>
        </SettingsSection>
        <SettingsSection id="display" title="Display & sound" locked={off ? offReason : null}>
          <SelectField label="Display" name="displayType" value={draft.displayType} onChange={(displayType) => update({ displayType })} options={optionsOf(DISPLAY_TYPE_LABELS)} />
          <SelectField label="Graphics card" name="displayDevice" value={draft.displayDevice} onChange={(displayDevice) => update({ displayDevice })} options={optionsOf(DISPLAY_DEVICE_LABELS)} />
          <CheckField label="Sound" name="soundEnabled" checked={draft.soundEnabled} onChange={(soundEnabled) => update({ soundEnabled })} />
          <SelectField label="Sound card" name="soundDevice" value={draft.soundDevice} disabled={!draft.soundEnabled} onChange={(soundDevice) => update({ soundDevice })} options={optionsOf(SOUND_DEVICE_LABELS)} />
          <CheckField label="USB tablet (pointer follows the browser's)" name="usbTablet" checked={draft.usbTablet} onChange={(usbTablet) => update({ usbTablet })} />
          <CheckField label="SPICE agent (clipboard, resize)" name="spiceAgent" checked={draft.spiceAgent} onChange={(spiceAgent) => update({ spiceAgent })} />
          <CheckField label="QEMU guest agent" name="guestAgent" checked={draft.guestAgent} onChange={(guestAgent) => update({ guestAgent })} />
        </SettingsSection>
        <SaveBar changed={changed} save={save} canSave={connected} onRevert={() => setDraft(settingsDraft(config))} />
      </form>
    </div>
  );
}

// The typed MiB read back in GiB, so "4096" is seen to be 4 GiB before it is saved.
function memoryHint(typed: string): string | undefined {
  const mib = Number(typed);
  return Number.isInteger(mib) && mib >= 1024 ? `= ${formatMiB(mib)}` : undefined;
}
