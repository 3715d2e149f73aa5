import { z } from 'zod';
import type { QmpClient } from '../qmp/qmp-client';
import type { QmpEvent } from '../qmp/qmp-messages';
import { BACKEND_ID, DEVICE_ID } from '../qemu-args/device-ids';

// Whether the guest's SPICE agent (spice-vdagent) has its port (com.redhat.spice.0) open: null
// when the VM has no such channel. It matters to a VNC console, where QEMU's own vdagent answers
// on the host side and nothing about the guest's agent crosses VNC, so only this says whether the
// clipboard is really shared.
export type AgentPortState = boolean | null;

// The port's open state from one QMP event; undefined when the event is about something else.
// QEMU sends VSERPORT_CHANGE when the guest opens or closes a virtio-serial port with a device id.
export function agentPortFromEvent(event: Pick<QmpEvent, 'event' | 'data'>): boolean | undefined {
  if (event.event !== 'VSERPORT_CHANGE') return undefined;
  const data = event.data ?? {};
  if (data.id !== DEVICE_ID.spiceAgentPort || typeof data.open !== 'boolean') return undefined;
  return data.open;
}

// query-chardev's answer, the fields read here (QEMU 2.10+ has frontend-open).
const ChardevList = z.array(z.object({ label: z.string(), 'frontend-open': z.boolean().optional() }).passthrough());

// The port's state from query-chardev's answer: the agent's chardev, if there, says whether its
// frontend (the guest's side of the port) is open. Catches up on a guest that opened the port
// before the helper was listening (a VM adopted by a restarted helper).
export function agentPortFromChardevs(chardevs: unknown): AgentPortState {
  const parsed = ChardevList.safeParse(chardevs);
  if (!parsed.success) return null;
  const agent = parsed.data.find((c) => c.label === BACKEND_ID.spiceAgent);
  if (!agent) return null;
  return agent['frontend-open'] === true;
}

// Follows the port on a monitor: the events from now on, and query-chardev once for where it
// stands. An event that comes before the query's answer wins (it is newer). Returns the
// unsubscribe function.
export function watchAgentPort(qmp: Pick<QmpClient, 'onEvent' | 'execute'>, onChange: (open: AgentPortState) => void): () => void {
  let heardEvent = false;
  let stopped = false;
  const off = qmp.onEvent((ev) => {
    const open = agentPortFromEvent(ev);
    if (open === undefined || stopped) return;
    heardEvent = true;
    onChange(open);
  });
  qmp.execute<unknown>('query-chardev').then(
    (chardevs) => {
      if (!stopped && !heardEvent) onChange(agentPortFromChardevs(chardevs));
    },
    // The monitor closed first: the VM is going away, and with it the port.
    () => undefined,
  );
  return () => {
    stopped = true;
    off();
  };
}
