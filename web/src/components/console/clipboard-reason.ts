import type { GuestAgent } from './display-session';

export const NO_VNC_CHANNEL =
  "this VM's QEMU has no clipboard channel for VNC: turn on the SPICE agent in the VM's settings, or use a QEMU with qemu-vdagent (6.1 or later)";
export const NO_GUEST_AGENT = 'no agent in the guest: install spice-vdagent';

// Why the clipboard is not shared with the guest now, or null when it is. A SPICE session hears
// of the guest's agent itself; over VNC only QEMU's side of the channel shows, so whether the
// guest opened it comes from the VM's status (spiceAgentOpen; undefined from older helpers, which
// cannot tell: the channel is then taken as shared, as before).
export function clipboardOffReason(protocol: 'spice' | 'vnc' | null, agent: GuestAgent, guestAgentOpen: boolean | null | undefined): string | null {
  if (protocol === 'vnc') {
    if (!agent.clipboard) return NO_VNC_CHANNEL;
    return guestAgentOpen === false ? NO_GUEST_AGENT : null;
  }
  if (agent.clipboard) return null;
  return agent.phase === 'starting' ? 'the guest agent is starting' : NO_GUEST_AGENT;
}
