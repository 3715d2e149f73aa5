import { createHash } from 'node:crypto';
import { isIPv6 } from 'node:net';
import { OpenUtmError, type PortForward, type VmConfig } from '@openutm/shared';
import type { BuildContext } from './build-context';
import { BACKEND_ID, DEVICE_ID } from './device-ids';
import { optionString, type QemuOption } from './option-string';

// A MAC address of QEMU's own prefix (52:54:00), stable per VM: without one every VM gets
// 52:54:00:12:34:56, and guests that key their network setup on the MAC (Windows, netplan)
// see "new hardware" whenever a VM is copied or re-created.
export function macAddressFor(config: VmConfig): string {
  if (config.network.mac !== null) return config.network.mac;
  const bytes = createHash('sha256').update(`openutm-mac:${config.id}`).digest().subarray(0, 3);
  return ['52', '54', '00', ...[...bytes].map((b) => b.toString(16).padStart(2, '0'))].join(':');
}

// One slirp forwarding rule: `tcp:127.0.0.1:2222-:22` (an empty guest address means the guest's
// DHCP address). QEMU up to at least 7.2 parses only IPv4 host addresses here.
export function hostForwardRule(forward: PortForward): string {
  if (isIPv6(forward.hostAddress)) {
    throw new OpenUtmError(
      'CONFIG_INVALID',
      `QEMU's user networking forwards only from IPv4 addresses, not ${forward.hostAddress}; use 127.0.0.1 (this computer only) or 0.0.0.0 (the whole network)`,
    );
  }
  return `${forward.protocol}:${forward.hostAddress}:${forward.hostPort}-:${forward.guestPort}`;
}

// User-mode networking (NAT, no privileges needed) and the NIC the preset chose; 'none' means
// no NIC at all.
export function networkOptions(ctx: BuildContext): QemuOption[] {
  const { network } = ctx.config;
  if (network.mode === 'none') return [];
  const seen = new Set<string>();
  for (const f of network.portForwards) {
    const key = `${f.protocol}/${f.hostAddress}/${f.hostPort}`;
    if (seen.has(key)) throw new OpenUtmError('CONFIG_INVALID', `host port ${f.protocol} ${f.hostAddress}:${f.hostPort} is forwarded twice; keep one of the rules`);
    seen.add(key);
  }
  // hostfwd is the one key QEMU lets repeat, once per rule.
  const netdev = ['user', optionString(null, { id: BACKEND_ID.net }), ...network.portForwards.map((f) => optionString(null, { hostfwd: hostForwardRule(f) }))];
  return [
    ['-netdev', netdev.join(',')],
    [
      '-device',
      optionString(network.nic, {
        id: DEVICE_ID.nic,
        netdev: BACKEND_ID.net,
        mac: macAddressFor(ctx.config),
        // No option ROM: the VM never network-boots, and some QEMU packages ship without the
        // iPXE ROM files, which would stop the VM from starting at all.
        romfile: '',
      }),
    ],
  ];
}
