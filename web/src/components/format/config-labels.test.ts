import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AcceleratorChoice, Architecture, CdInterface, DiskInterface, DisplayConfig, NetworkConfig, SoundConfig, SystemConfig, VmConfig } from '@openutm/shared';
import {
  ACCELERATOR_LABELS,
  ARCHITECTURE_LABELS,
  BOOT_LABELS,
  BUS_NAMES,
  DISPLAY_DEVICE_LABELS,
  DISPLAY_TYPE_LABELS,
  FIRMWARE_LABELS,
  MACHINE_LABELS,
  NETWORK_MODE_LABELS,
  NIC_LABELS,
  optionsOf,
  shortLabel,
  SOUND_DEVICE_LABELS,
} from './config-labels';

// Each table against the schema's own list, so a value added to shared/ without words fails here.
const TABLES: Array<[string, Readonly<Record<string, string>>, readonly string[]]> = [
  ['accelerator', ACCELERATOR_LABELS, AcceleratorChoice.options],
  ['architecture', ARCHITECTURE_LABELS, Architecture.options],
  ['machine', MACHINE_LABELS, SystemConfig.shape.machine.removeDefault().options],
  ['firmware', FIRMWARE_LABELS, SystemConfig.shape.firmware.removeDefault().options],
  ['network mode', NETWORK_MODE_LABELS, NetworkConfig.shape.mode.removeDefault().options],
  ['nic', NIC_LABELS, NetworkConfig.shape.nic.removeDefault().options],
  ['display type', DISPLAY_TYPE_LABELS, DisplayConfig.shape.type.removeDefault().options],
  ['display device', DISPLAY_DEVICE_LABELS, DisplayConfig.shape.device.removeDefault().options],
  ['sound device', SOUND_DEVICE_LABELS, SoundConfig.shape.device.removeDefault().options],
  ['bus', BUS_NAMES, [...new Set([...DiskInterface.options, ...CdInterface.options])]],
  ['boot', BOOT_LABELS, VmConfig.innerType().innerType().shape.boot.removeDefault().options],
];

test('every value the schema allows has human words, and no words are the internal name itself', () => {
  for (const [what, labels, values] of TABLES) {
    assert.deepEqual(Object.keys(labels).sort(), [...values].sort(), `${what}: labels match the schema`);
    for (const v of values) {
      assert.notEqual(labels[v], v, `${what}: ${v} has words of its own`);
      assert.notEqual(shortLabel(labels[v]!), v, `${what}: the short form of ${v} is not ${v}`);
    }
  }
});

test('optionsOf keeps the table order; shortLabel drops the explanation in brackets', () => {
  assert.deepEqual(optionsOf({ a: 'A (first)', b: 'B' }), [{ value: 'a', label: 'A (first)' }, { value: 'b', label: 'B' }]);
  const table: Array<[string, string]> = [
    ['Automatic (hardware, else emulated)', 'Automatic'],
    ['Intel 82574 (e1000e)', 'Intel 82574'],
    ['Standard VGA', 'Standard VGA'],
    ['(odd) start', '(odd) start'],
  ];
  for (const [label, short] of table) assert.equal(shortLabel(label), short);
});
