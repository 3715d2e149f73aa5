import type { GuestAgentInfo, GuestIp } from '@openutm/shared';

// What the UI says about a running VM's guest agent, in words. `none`: the VM does not run (or
// the helper is older than the guest agent), so nothing is said.
export type GuestAgentView =
  | { kind: 'none' }
  | { kind: 'off'; text: string }
  | { kind: 'absent'; text: string }
  | { kind: 'connected'; hostname: string | null; os: string | null; ip: string | null; ips: GuestIp[] };

export const ABSENT_TEXT = 'Install qemu-guest-agent in the guest to see its address and name here.';
export const OFF_TEXT = 'The guest agent is off for this VM (Sharing settings).';

export function guestAgentView(agent: GuestAgentInfo | null | undefined): GuestAgentView {
  if (!agent) return { kind: 'none' };
  if (agent.state === 'off') return { kind: 'off', text: OFF_TEXT };
  if (agent.state === 'absent') return { kind: 'absent', text: ABSENT_TEXT };
  const os = agent.os === null ? null : (agent.os.prettyName ?? ([agent.os.name, agent.os.version].filter(Boolean).join(' ') || null));
  return { kind: 'connected', hostname: agent.hostname, os, ip: agent.ips[0]?.address ?? null, ips: agent.ips };
}
