import type { BuildContext } from './build-context';
import { BACKEND_ID, busOf, DEVICE_ID } from './device-ids';
import { socketChardev } from './endpoints';
import { optionString, type QemuOption } from './option-string';

// Guest-side port names the agents look for; they are fixed by the agents, not by us.
const SPICE_AGENT_PORT = 'com.redhat.spice.0';
const GUEST_AGENT_PORT = 'org.qemu.guest_agent.0';

// The channels guest agents talk over, on the virtio-serial bus: the SPICE agent (clipboard,
// resolution following the console size) when the console is SPICE, and the QEMU guest agent
// (clean shutdown, time sync after resume, IP addresses) on its own socket for the service.
export function sharingOptions(ctx: BuildContext): QemuOption[] {
  const { sharing } = ctx.config;
  const bus = busOf(DEVICE_ID.virtioSerial);
  const options: QemuOption[] = [];
  if (sharing.spiceAgent && ctx.display === 'spice') {
    options.push(
      ['-chardev', optionString('spicevmc', { id: BACKEND_ID.spiceAgent, name: 'vdagent' })],
      ['-device', optionString('virtserialport', { id: DEVICE_ID.spiceAgentPort, bus, chardev: BACKEND_ID.spiceAgent, name: SPICE_AGENT_PORT })],
    );
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
