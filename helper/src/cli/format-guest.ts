import { GUEST_AGENT_HINT, type GuestAgentInfo, type GuestIp, type GuestOs } from '@openutm/shared';

// One address per line, IPv4 first: the first line is the one to type (`ssh user@$(openutm ip VM | head -1)`).
export function formatGuestIps(ips: GuestIp[]): string {
  return ips.map((ip) => ip.address).join('\n');
}

// "Debian GNU/Linux 12 (bookworm)", with the kernel when known.
export function osText(os: GuestOs | null): string | null {
  if (os === null) return null;
  const name = os.prettyName ?? ([os.name, os.version].filter(Boolean).join(' ') || null);
  if (name === null) return os.kernel;
  return os.kernel ? `${name} · kernel ${os.kernel}` : name;
}

// What `openutm show` prints about the guest agent of a running VM (nothing when it is not running).
export function guestAgentLines(agent: GuestAgentInfo | null | undefined): string[] {
  if (!agent) return [];
  switch (agent.state) {
    case 'off':
      return ['  agent      off (turn on "QEMU guest agent" in the VM\'s settings to see its address)'];
    case 'absent':
      return [`  agent      not answering: ${GUEST_AGENT_HINT}`];
    case 'connected': {
      const os = osText(agent.os);
      return [
        `  hostname   ${agent.hostname ?? '(not given)'}`,
        ...(os ? [`  guest os   ${os}`] : []),
        `  ip         ${agent.ips.length > 0 ? agent.ips.map((ip) => ip.address).join(', ') : '(none yet)'}`,
      ];
    }
  }
}
