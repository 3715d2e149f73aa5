import { OpenUtmError, type HostFacts, type VmConfig } from '@openutm/shared';
import { resolveDisplayProtocol } from '../qemu-args/display';
import { spiceAgentHost } from '../qemu-args/sharing';
import type { Endpoint, RuntimePaths } from '../runtime/runtime-paths';

// Where a VM's screen can be reached and in which protocol.
export interface ConsoleTarget {
  protocol: 'spice' | 'vnc';
  endpoint: Endpoint;
  // Only for a loopback-TCP display (Windows): the password of this run of QEMU.
  password?: string;
  // VNC only: QEMU runs its own vdagent, so the VNC server relays the clipboard of a guest
  // running spice-vdagent (a SPICE console learns of its agent in the session itself).
  clipboard?: boolean;
}

// The display socket of a running VM: the same SPICE-or-VNC decision the QEMU arguments were
// built with (resolveDisplayProtocol), so the console always dials what QEMU listens on.
export function consoleTargetFor(config: VmConfig, facts: HostFacts, paths: RuntimePaths): ConsoleTarget {
  const binary = facts.qemu.find((b) => b.architecture === config.system.architecture);
  if (!binary) {
    throw new OpenUtmError('QEMU_NOT_FOUND', `no qemu-system-${config.system.architecture} is known to this helper; \`openutm doctor\` says how to install it`);
  }
  const protocol = resolveDisplayProtocol(config, binary, []);
  if (protocol === 'none') {
    throw new OpenUtmError('CONFLICT', 'this VM has no display (display type "none"); open its serial console instead, or give it a display while it is stopped');
  }
  if (protocol === 'spice') return { protocol, endpoint: paths.spice };
  return { protocol, endpoint: paths.vnc, clipboard: spiceAgentHost(config, binary, protocol) === 'qemu-vdagent' };
}
