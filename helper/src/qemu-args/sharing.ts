import type { QemuBinary, VmConfig } from '@openutm/shared';
import type { BuildContext } from './build-context';
import type { DisplayProtocol } from './display';
import { BACKEND_ID, busOf, DEVICE_ID } from './device-ids';
import { socketChardev } from './endpoints';
import { optionString, type QemuOption } from './option-string';

// Guest-side port names the agents look for; they are fixed by the agents, not by us.
const SPICE_AGENT_PORT = 'com.redhat.spice.0';
const GUEST_AGENT_PORT = 'org.qemu.guest_agent.0';

// Who answers the guest's SPICE agent (spice-vdagent), if anyone: the SPICE server when the
// console is SPICE (clipboard, resolution, files), QEMU's own vdagent when it is VNC (the
// clipboard only, which QEMU's VNC server relays to the page). The console page asks the same
// question (console-target.ts) to know whether a VNC console shares the clipboard.
export function spiceAgentHost(config: VmConfig, binary: QemuBinary, display: DisplayProtocol): 'spice-server' | 'qemu-vdagent' | null {
  if (!config.sharing.spiceAgent) return null;
  if (display === 'spice') return 'spice-server';
  if (display === 'vnc' && binary.vdagent === true) return 'qemu-vdagent';
  return null;
}

// The SPICE agent's chardev: the SPICE server's channel, or QEMU's vdagent with the clipboard
// on and its mouse off (it would take the pointer from the USB tablet and hand it to the agent,
// which then needs uinput in the guest; the tablet already gives the page an absolute pointer).
function spiceAgentChardev(host: 'spice-server' | 'qemu-vdagent'): string {
  return host === 'spice-server'
    ? optionString('spicevmc', { id: BACKEND_ID.spiceAgent, name: 'vdagent' })
    : optionString('qemu-vdagent', { id: BACKEND_ID.spiceAgent, name: 'vdagent', clipboard: true, mouse: false });
}

// The channels guest agents talk over, on the virtio-serial bus: the SPICE agent (see
// spiceAgentHost), and the QEMU guest agent (clean shutdown, time sync after resume, IP
// addresses) on its own socket for the service.
export function sharingOptions(ctx: BuildContext): QemuOption[] {
  const { sharing } = ctx.config;
  const bus = busOf(DEVICE_ID.virtioSerial);
  const options: QemuOption[] = [];
  const agentHost = spiceAgentHost(ctx.config, ctx.binary, ctx.display);
  if (agentHost !== null) {
    options.push(
      ['-chardev', spiceAgentChardev(agentHost)],
      ['-device', optionString('virtserialport', { id: DEVICE_ID.spiceAgentPort, bus, chardev: BACKEND_ID.spiceAgent, name: SPICE_AGENT_PORT })],
    );
  } else if (sharing.spiceAgent && ctx.display === 'vnc') {
    ctx.warnings.push(`${ctx.binary.path} has no qemu-vdagent (QEMU 6.1 or later, built with spice-protocol), so this VM's VNC console does not share the clipboard`);
  }
  // On loopback TCP (Windows) any local program could connect to the agent's port and run
  // commands in the guest (guest-exec): QEMU has no authentication there and the helper does not
  // hold that connection yet, as it holds the monitor's and the serial port's. So no agent there.
  if (sharing.guestAgent && ctx.paths.guestAgent.kind === 'tcp') {
    ctx.warnings.push('the QEMU guest agent channel is left out on this host: it would be a loopback port any local program could use to run commands in the guest');
  } else if (sharing.guestAgent) {
    options.push(
      ['-chardev', socketChardev(BACKEND_ID.guestAgent, ctx.paths.guestAgent, 'listen')],
      ['-device', optionString('virtserialport', { id: DEVICE_ID.guestAgentPort, bus, chardev: BACKEND_ID.guestAgent, name: GUEST_AGENT_PORT })],
    );
  }
  return options;
}
