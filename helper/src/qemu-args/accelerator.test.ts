import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Accelerator, AcceleratorChoice as ConfigAccelerator, HostFacts } from '@openutm/shared';
import { buildQemuArgs } from './build-qemu-args';
import { HOSTS } from './testing/host-fixtures';
import { valuesOf } from './testing/parse-qemu-opts';
import { asAarch64, optionsFor, pathsFor, presetConfig } from './testing/vm-fixtures';

function build(host: HostFacts, opts: { accel?: ConfigAccelerator; override?: Accelerator; aarch64?: boolean; cpuModel?: string; preset?: 'linux-server' | 'windows-10' } = {}) {
  const config = presetConfig(opts.preset ?? 'linux-server', (c) => {
    const edited = { ...c, system: { ...c.system, accelerator: opts.accel ?? 'auto', cpuModel: opts.cpuModel ?? 'default' } };
    return opts.aarch64 ? asAarch64(edited) : edited;
  });
  return buildQemuArgs(config, host, pathsFor(host.os), optionsFor(host.os, { acceleratorOverride: opts.override }));
}

const codeOf = (e: unknown) => (e as { code?: string }).code;

describe('accelerator choice', () => {
  it("'auto' takes the host's hardware accelerator for a native guest", () => {
    assert.equal(build(HOSTS['linux-x64-kvm']).accelerator, 'kvm');
    assert.equal(build(HOSTS['darwin-arm64-hvf'], { aarch64: true }).accelerator, 'hvf');
    assert.equal(build(HOSTS['win32-x64-whpx']).accelerator, 'whpx');
  });

  it('a foreign-architecture guest runs under TCG with a warning, even when asked for auto', () => {
    const built = build(HOSTS['linux-x64-kvm'], { aarch64: true });
    assert.equal(built.accelerator, 'tcg');
    assert.deepEqual(valuesOf(built.args, '-accel'), ['tcg']);
    assert.deepEqual(valuesOf(built.args, '-cpu'), ['max']);
    assert.ok(built.warnings.some((w) => /aarch64 guest runs emulated \(TCG\) on a x64 host/.test(w)), built.warnings.join('; '));
  });

  it('a native guest without a usable hardware accelerator falls back to TCG and says how to fix it', () => {
    const host: HostFacts = { ...HOSTS['linux-x64-kvm'], accelerators: ['tcg'] };
    const built = build(host);
    assert.equal(built.accelerator, 'tcg');
    assert.ok(built.warnings.some((w) => w.includes('enable KVM')), built.warnings.join('; '));
  });

  it("a KVM that failed its probe boot: 'auto' falls back to TCG with a warning carrying QEMU's reason", () => {
    const reason = 'QEMU was killed by SIGABRT: qemu-system-x86_64: error: failed to set MSR 0x10a to 0x69';
    const host: HostFacts = { ...HOSTS['linux-x64-kvm'], accelerators: ['tcg'], acceleratorProbe: { accelerator: 'kvm', cpuModel: 'host', ok: false, reason, cached: true } };
    const built = build(host);
    assert.equal(built.accelerator, 'tcg');
    assert.deepEqual(valuesOf(built.args, '-cpu'), ['max']);
    assert.ok(built.warnings.some((w) => w.startsWith('KVM is present but failed its probe boot (') && w.includes(reason) && /emulated \(TCG\)/.test(w)), built.warnings.join('; '));
    // An explicit kvm is refused with the probe's reason rather than tried and left to abort.
    assert.throws(
      () => build(host, { accel: 'kvm' }),
      (e: unknown) => codeOf(e) === 'CONFIG_INVALID' && (e as Error).message.includes(`kvm failed its probe boot here (${reason})`),
    );
    assert.throws(() => build(host, { override: 'kvm' }), (e: unknown) => codeOf(e) === 'CONFIG_INVALID' && /from OPENUTM_ACCEL\).*failed its probe boot/.test((e as Error).message));
  });

  it('an explicit accelerator the host lacks is an error naming the usable ones', () => {
    assert.throws(
      () => build(HOSTS['darwin-arm64-hvf'], { accel: 'kvm', aarch64: true }),
      (e: unknown) => codeOf(e) === 'CONFIG_INVALID' && /Usable here: hvf, tcg/.test((e as Error).message),
    );
  });

  it('hardware acceleration for a foreign architecture is an error that says why', () => {
    assert.throws(
      () => build(HOSTS['linux-x64-kvm'], { accel: 'kvm', aarch64: true }),
      (e: unknown) => codeOf(e) === 'CONFIG_INVALID' && /own architecture/.test((e as Error).message),
    );
  });

  it('the override (OPENUTM_ACCEL) wins over the VM setting, and is checked the same way', () => {
    const built = build(HOSTS['linux-x64-kvm'], { accel: 'kvm', override: 'tcg' });
    assert.equal(built.accelerator, 'tcg');
    assert.deepEqual(valuesOf(built.args, '-accel'), ['tcg']);
    assert.throws(
      () => build(HOSTS['linux-x64-kvm'], { override: 'hvf' }),
      (e: unknown) => codeOf(e) === 'CONFIG_INVALID' && /OPENUTM_ACCEL/.test((e as Error).message),
    );
  });

  it('a QEMU without TCG cannot emulate a foreign guest', () => {
    const host: HostFacts = {
      ...HOSTS['linux-x64-kvm'],
      qemu: HOSTS['linux-x64-kvm'].qemu.map((b) => ({ ...b, accelerators: ['kvm' as const] })),
    };
    assert.throws(() => build(host, { aarch64: true }), (e: unknown) => codeOf(e) === 'CONFIG_INVALID');
  });
});

describe('CPU model', () => {
  it("'default' passes the host CPU through under KVM and HVF, and is 'max' under TCG and WHPX", () => {
    assert.deepEqual(valuesOf(build(HOSTS['linux-x64-kvm']).args, '-cpu'), ['host']);
    assert.deepEqual(valuesOf(build(HOSTS['darwin-x64-hvf']).args, '-cpu'), ['host']);
    assert.deepEqual(valuesOf(build(HOSTS['win32-x64-whpx']).args, '-cpu'), ['max']);
    assert.deepEqual(valuesOf(build(HOSTS['darwin-arm64-hvf']).args, '-cpu'), ['max']);
  });

  it('Windows guests under KVM get Hyper-V enlightenments', () => {
    assert.deepEqual(valuesOf(build(HOSTS['linux-x64-kvm'], { preset: 'windows-10' }).args, '-cpu'), [
      'host,hv-relaxed=on,hv-vapic=on,hv-spinlocks=0x1fff,hv-time=on',
    ]);
    assert.deepEqual(valuesOf(build(HOSTS['win32-x64-whpx'], { preset: 'windows-10' }).args, '-cpu'), ['max']);
  });

  it('an explicit model is used as given, but "host" under TCG is refused', () => {
    assert.deepEqual(valuesOf(build(HOSTS['linux-x64-kvm'], { cpuModel: 'Skylake-Client-v4' }).args, '-cpu'), ['Skylake-Client-v4']);
    assert.throws(() => build(HOSTS['linux-x64-kvm'], { cpuModel: 'host', override: 'tcg' }), (e: unknown) => codeOf(e) === 'CONFIG_INVALID');
    assert.throws(() => build(HOSTS['linux-x64-kvm'], { cpuModel: '-x' }), (e: unknown) => codeOf(e) === 'CONFIG_INVALID');
  });
});
