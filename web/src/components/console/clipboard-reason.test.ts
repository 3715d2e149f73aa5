import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clipboardOffReason, NO_GUEST_AGENT, NO_VNC_CHANNEL } from './clipboard-reason';
import { NO_AGENT, type GuestAgent } from './display-session';

const channel: GuestAgent = { phase: 'ready', clipboard: true, resize: false, files: false };
const spiceReady: GuestAgent = { phase: 'ready', clipboard: true, resize: true, files: true };
const starting: GuestAgent = { phase: 'starting', clipboard: false, resize: false, files: false };

test('clipboardOffReason: VNC needs the channel and a guest agent that opened it; SPICE goes by its own agent', () => {
  const cases: Array<[string, 'spice' | 'vnc' | null, GuestAgent, boolean | null | undefined, string | null]> = [
    ['VNC without the channel', 'vnc', NO_AGENT, undefined, NO_VNC_CHANNEL],
    ['VNC without the channel, status says closed', 'vnc', NO_AGENT, false, NO_VNC_CHANNEL],
    ['VNC channel, guest agent has the port open', 'vnc', channel, true, null],
    ['VNC channel, nobody in the guest opened it', 'vnc', channel, false, NO_GUEST_AGENT],
    ['VNC channel, helper cannot tell (older helper)', 'vnc', channel, undefined, null],
    ['VNC channel, status null (not known yet)', 'vnc', channel, null, null],
    ['SPICE agent ready', 'spice', spiceReady, undefined, null],
    ['SPICE agent ready, status says closed: the session knows better', 'spice', spiceReady, false, null],
    ['SPICE agent starting', 'spice', starting, true, 'the guest agent is starting'],
    ['SPICE without agent', 'spice', NO_AGENT, true, NO_GUEST_AGENT],
  ];
  for (const [name, protocol, agent, open, want] of cases) assert.equal(clipboardOffReason(protocol, agent, open), want, name);
});
