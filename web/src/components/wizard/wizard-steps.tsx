'use client';

import { OsPreset, PRESETS, type DiscBoot, type HostFacts } from '@openutm/shared';
import { acceleratorOverridden, effectiveAccelerator } from '../disc/effective-accelerator';
import { discBootText } from '../disc/use-disc-boot';
import { useState } from 'react';
import { formatMiB } from '../library/format';
import { PresetIcon } from '../library/preset-icon';
import { cx } from '../cx';
import { BUTTON, CheckField, SelectField, TextField } from '../form/fields';
import { folderOf, HostFileChooser } from './host-file-chooser';
import type { FieldErrors, HostWarning } from './wizard-checks';
import { nameFromIso, type WizardDraft } from './wizard-draft';
import { PortForwardsEditor } from '../form/port-forwards';

export interface StepProps {
  draft: WizardDraft;
  update: (change: Partial<WizardDraft>) => void;
  // Only the errors the person should see now (after they tried to move on).
  errors: FieldErrors;
  warnings: readonly HostWarning[];
  facts: HostFacts | null;
  choosePreset: (preset: OsPreset) => void;
  // What the chosen disc boots with, once the helper has read it.
  discBoot?: DiscBoot | null;
}

const warn = (warnings: readonly HostWarning[], field: string) => warnings.filter((w) => w.field === field);

export function OsStep({ draft, update, errors, choosePreset }: StepProps) {
  return (
    <div className="space-y-5">
      <fieldset>
        <legend className="mb-2 text-sm font-medium">Operating system</legend>
        <div role="radiogroup" aria-label="Operating system" className="grid grid-cols-2 gap-2 sm:grid-cols-3">
          {OsPreset.options.map((preset) => (
            <label
              key={preset}
              className={cx(
                'flex cursor-pointer items-center gap-3 rounded-xl border p-3 text-sm has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-sky-500',
                draft.preset === preset ? 'border-sky-600 bg-sky-50 dark:bg-sky-950' : 'border-neutral-300 dark:border-neutral-700',
              )}
            >
              <input type="radio" name="preset" value={preset} checked={draft.preset === preset} onChange={() => choosePreset(preset)} className="sr-only" />
              <PresetIcon preset={preset} className="size-8 shrink-0" />
              <span className="font-medium">{PRESETS[preset].label}</span>
            </label>
          ))}
        </div>
        <p className="mt-2 text-xs text-neutral-600 dark:text-neutral-400">The choice sets devices the guest has drivers for and sizes that suit it; every one can be changed in the next steps.</p>
      </fieldset>
      <TextField label="Name" name="name" value={draft.name} onChange={(name) => update({ name })} error={errors.name} placeholder="e.g. Debian 12" autoFocus />
    </div>
  );
}

export function MediaStep({ draft, update, errors, warnings, discBoot }: StepProps) {
  const bootText = discBoot ? discBootText(discBoot) : null;
  const [browsing, setBrowsing] = useState(false);
  const setIso = (isoPath: string) => update({ isoPath, ...(draft.name.trim() === '' && isoPath !== '' ? { name: nameFromIso(isoPath) } : {}) });
  return (
    <div className="space-y-4">
      <TextField
        label="Install disc (ISO image)"
        name="isoPath"
        value={draft.isoPath}
        onChange={(isoPath) => update({ isoPath })}
        error={errors.isoPath}
        warnings={warn(warnings, 'isoPath')}
        placeholder="/home/you/Downloads/installer.iso"
        hint="A file on the computer the helper runs on. Leave empty to start with an empty CD drive."
        after={
          <button type="button" className={cx(BUTTON.secondary, 'shrink-0')} onClick={() => setBrowsing(true)}>
            Browse…
          </button>
        }
      />
      {bootText && (
        <p data-testid="disc-boot" className="text-sm text-neutral-700 dark:text-neutral-300">
          {bootText}
        </p>
      )}
      {draft.isoPath !== '' && (
        <button type="button" className={BUTTON.secondary} onClick={() => update({ isoPath: '' })}>
          Remove disc
        </button>
      )}
      <HostFileChooser
        open={browsing}
        startPath={draft.isoPath ? folderOf(draft.isoPath) : undefined}
        onClose={() => setBrowsing(false)}
        onChoose={(path) => {
          setBrowsing(false);
          setIso(path);
        }}
      />
    </div>
  );
}

export function HardwareStep({ draft, update, errors, warnings, facts }: StepProps) {
  const archs = facts && facts.qemu.length > 0 ? facts.qemu.map((q) => q.architecture) : (['x86_64', 'aarch64'] as const);
  const auto = effectiveAccelerator(facts, draft.architecture, 'auto');
  const overridden = acceleratorOverridden(facts);
  return (
    <div className="grid gap-4 sm:grid-cols-2">
      <SelectField
        label="Architecture"
        name="architecture"
        value={draft.architecture}
        onChange={(architecture) => update({ architecture })}
        options={[...new Set([...archs, draft.architecture])].map((a) => ({ value: a, label: a === 'x86_64' ? 'x86_64 (Intel/AMD)' : 'aarch64 (ARM64)' }))}
        error={errors.architecture}
        warnings={warn(warnings, 'architecture')}
      />
      <SelectField
        label="Accelerator"
        name="accelerator"
        value={draft.accelerator}
        onChange={(accelerator) => update({ accelerator })}
        options={[
          { value: 'auto', label: auto ? `Automatic (${auto === 'tcg' ? 'emulated, TCG' : auto.toUpperCase()} here)` : 'Automatic' },
          { value: 'kvm', label: 'KVM (Linux)' },
          { value: 'hvf', label: 'HVF (macOS)' },
          { value: 'whpx', label: 'WHPX (Windows)' },
          { value: 'tcg', label: 'TCG (software emulation)' },
        ]}
        error={errors.accelerator}
        warnings={warn(warnings, 'accelerator')}
        hint={overridden && auto ? `The helper runs every VM under ${auto.toUpperCase()} (OPENUTM_ACCEL), whatever is chosen here.` : undefined}
      />
      <TextField
        label="CPUs"
        name="cpus"
        type="number"
        min={1}
        max={256}
        value={draft.cpus}
        onChange={(cpus) => update({ cpus })}
        error={errors.cpus}
        warnings={warn(warnings, 'cpus')}
        hint={facts ? `This computer has ${facts.cpus}.` : undefined}
      />
      <TextField
        label="Memory"
        name="memoryMiB"
        type="number"
        min={16}
        step={256}
        suffix="MiB"
        value={draft.memoryMiB}
        onChange={(memoryMiB) => update({ memoryMiB })}
        error={errors.memoryMiB}
        warnings={warn(warnings, 'memoryMiB')}
        hint={facts ? `This computer has ${formatMiB(facts.memoryMiB)}.` : undefined}
      />
      <SelectField
        label="Firmware"
        name="firmware"
        value={draft.firmware}
        onChange={(firmware) => update({ firmware })}
        options={[
          { value: 'bios', label: 'BIOS (SeaBIOS)' },
          { value: 'uefi', label: 'UEFI (OVMF)' },
        ]}
        error={errors.firmware}
        warnings={warn(warnings, 'firmware')}
      />
      <div className="space-y-3 pt-6">
        <CheckField label="TPM 2.0 (swtpm)" name="tpm" checked={draft.tpm} onChange={(tpm) => update({ tpm })} warnings={warn(warnings, 'tpm')} />
        <CheckField
          label="Secure Boot"
          name="secureBoot"
          checked={draft.firmware === 'uefi' && draft.secureBoot}
          disabled={draft.firmware !== 'uefi'}
          onChange={(secureBoot) => update({ secureBoot })}
          warnings={warn(warnings, 'secureBoot')}
          hint={draft.firmware !== 'uefi' ? 'Secure Boot needs UEFI.' : undefined}
        />
      </div>
    </div>
  );
}

export function DiskStep({ draft, update, errors }: StepProps) {
  return (
    <div className="space-y-4">
      <CheckField label="Create a disk" name="diskEnabled" checked={draft.diskEnabled} onChange={(diskEnabled) => update({ diskEnabled })} hint="Without a disk the VM can only run from its disc (a live system)." />
      <div className="grid gap-4 sm:grid-cols-3">
        <TextField
          label="Disk size"
          name="diskSizeGiB"
          type="number"
          min={1}
          suffix="GiB"
          value={draft.diskSizeGiB}
          onChange={(diskSizeGiB) => update({ diskSizeGiB })}
          disabled={!draft.diskEnabled}
          error={draft.diskEnabled ? errors.diskSizeGiB : undefined}
          hint="qcow2 grows as the guest writes; the size is its limit."
        />
        <SelectField
          label="Disk interface"
          name="diskInterface"
          value={draft.diskInterface}
          disabled={!draft.diskEnabled}
          onChange={(diskInterface) => update({ diskInterface })}
          options={[
            { value: 'virtio', label: 'VirtIO (fastest; Linux, BSD)' },
            { value: 'nvme', label: 'NVMe' },
            { value: 'sata', label: 'SATA' },
            { value: 'ide', label: 'IDE (old systems)' },
            { value: 'usb', label: 'USB' },
          ]}
        />
        <SelectField
          label="Disk format"
          name="diskFormat"
          value={draft.diskFormat}
          disabled={!draft.diskEnabled}
          onChange={(diskFormat) => update({ diskFormat })}
          options={[
            { value: 'qcow2', label: 'qcow2 (snapshots, grows)' },
            { value: 'raw', label: 'raw' },
          ]}
        />
      </div>
    </div>
  );
}

export function DevicesStep({ draft, update, errors, warnings }: StepProps) {
  const networkOn = draft.networkMode !== 'none';
  return (
    <div className="space-y-6">
      <div className="grid gap-4 sm:grid-cols-2">
        <SelectField
          label="Network"
          name="networkMode"
          value={draft.networkMode}
          onChange={(networkMode) => update({ networkMode })}
          options={[
            { value: 'user', label: 'Shared (NAT through this computer)' },
            { value: 'none', label: 'No network' },
          ]}
        />
        <SelectField
          label="Network card"
          name="nic"
          value={draft.nic}
          disabled={!networkOn}
          onChange={(nic) => update({ nic })}
          options={[
            { value: 'virtio-net-pci', label: 'VirtIO (Linux, BSD)' },
            { value: 'e1000e', label: 'Intel e1000e (Windows)' },
            { value: 'e1000', label: 'Intel e1000' },
            { value: 'rtl8139', label: 'Realtek RTL8139 (old systems)' },
          ]}
        />
      </div>
      <PortForwardsEditor
        forwards={draft.portForwards}
        onChange={(portForwards) => update({ portForwards })}
        errorFor={(i, field) => errors[`portForwards.${i}.${field}`]}
        disabled={!networkOn}
      />
      <div className="grid gap-4 sm:grid-cols-2">
        <SelectField
          label="Display"
          name="displayType"
          value={draft.displayType}
          onChange={(displayType) => update({ displayType })}
          warnings={warn(warnings, 'displayType')}
          options={[
            { value: 'spice', label: 'SPICE (console in the browser)' },
            { value: 'vnc', label: 'VNC' },
            { value: 'none', label: 'None (serial console only)' },
          ]}
        />
        <SelectField
          label="Graphics card"
          name="displayDevice"
          value={draft.displayDevice}
          disabled={draft.displayType === 'none'}
          onChange={(displayDevice) => update({ displayDevice })}
          options={[
            { value: 'default', label: 'Default for the machine' },
            { value: 'virtio-vga', label: 'VirtIO VGA' },
            { value: 'qxl-vga', label: 'QXL (Windows, SPICE)' },
            { value: 'VGA', label: 'Standard VGA' },
            { value: 'virtio-gpu-pci', label: 'VirtIO GPU' },
            { value: 'ramfb', label: 'ramfb (ARM)' },
          ]}
        />
      </div>
    </div>
  );
}
