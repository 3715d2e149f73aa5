import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { HOSTS } from '../qemu-args/testing/host-fixtures';
import { pathsFor, presetConfig } from '../qemu-args/testing/vm-fixtures';
import { TPM_STATE_DIR, swtpmSpec } from './swtpm';

// What the engine asks of swtpm for each host, from the pure spec (the real swtpm runs in
// helper/test/tpm-secure-boot.test.ts).

const windows11 = presetConfig('windows-11');
const vmFolder = '/home/me/OpenUTM/vms/a,b/abcdef12';

describe('swtpmSpec', () => {
  it('a VM without a TPM needs no swtpm', () => {
    assert.equal(swtpmSpec({ config: presetConfig('linux-server'), facts: HOSTS['linux-x64-kvm'], paths: pathsFor('linux'), vmFolder }), null);
  });

  for (const os of ['linux', 'darwin'] as const) {
    it(`${os}: TPM 2.0, control socket in the runtime dir, state beside vm.json, log beside QEMU's`, () => {
      const paths = pathsFor(os);
      const facts = os === 'linux' ? HOSTS['linux-x64-kvm'] : HOSTS['darwin-arm64-hvf'];
      const spec = swtpmSpec({ config: windows11, facts, paths, vmFolder })!;
      assert.equal(spec.binary, facts.swtpm);
      assert.equal(spec.cwd, vmFolder);
      assert.equal(spec.runtimeDir, paths.dir);
      assert.deepEqual(spec.args, [
        'socket',
        '--tpm2',
        '--tpmstate',
        // Relative to cwd: the folder's comma never reaches swtpm's option parser.
        `dir=${TPM_STATE_DIR},mode=0600`,
        '--ctrl',
        `type=unixio,path=${paths.dir}/swtpm.sock,mode=0600`,
        '--log',
        `file=${paths.dir}/swtpm.log,level=2`,
        '--terminate',
      ]);
    });
  }

  it('without swtpm: refused with the fix the host facts give', () => {
    const facts = { ...HOSTS['linux-x64-kvm'], swtpm: null, problems: [{ what: 'swtpm is not installed: Windows 11 VMs need its emulated TPM', fix: 'sudo dnf install swtpm', severity: 'warning' as const }] };
    assert.throws(
      () => swtpmSpec({ config: windows11, facts, paths: pathsFor('linux'), vmFolder }),
      (e: Error & { code?: string }) => e.code === 'COMPANION_NOT_FOUND' && e.message.includes('swtpm is not installed: sudo dnf install swtpm') && /turn the TPM off/.test(e.message),
    );
  });

  it('on loopback TCP endpoints (Windows): refused, since QEMU passes swtpm a descriptor over a unix socket', () => {
    assert.throws(() => swtpmSpec({ config: windows11, facts: HOSTS['win32-x64-whpx'], paths: pathsFor('win32'), vmFolder: 'C:\\vms\\abcdef12' }), {
      code: 'CONFIG_INVALID',
    });
  });
});
