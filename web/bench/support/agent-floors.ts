// The agent bench's floors: the same clipboard and file exchanges as the page's, done by the
// least client there is (spice-agent-client.ts, straight to QEMU's SPICE socket), timed the same
// way. What these take is what the guest, QEMU and the SPICE protocol cost; no page can beat it.
import { randomBytes } from 'node:crypto';
import {
  AgentCap,
  AgentMsg,
  ClipboardType,
  decodeClipboard,
  decodeClipboardGrab,
  decodeClipboardRequest,
  decodeFileXferStatus,
  encodeClipboard,
  encodeClipboardGrab,
  encodeClipboardRequest,
  encodeFileXferDataMessage,
  encodeFileXferStart,
  Selection,
  XferStatus,
} from '../../src/components/console/spice-agent/agent-protocol';
// As the page: 64 KiB data messages (spice-gtk's size), read ahead no further than 96 pieces.
import { QUEUE_MARK, XFER_SLICE } from '../../src/components/console/spice-agent/file-transfer';
import type { CpuTally } from './cpu-use';
import type { SerialShell } from './serial-shell';
import { SpiceAgentClient } from './spice-agent-client';

// What one clipboard phase of the bench measured, by the page or by the least client: each in ms.
export interface AgentSamples {
  toHost: number[];
  toGuest: number[];
  // The serial echo (median) while this client was connected.
  echo: number;
}

// The floor's clipboard phase: the least client connects to QEMU's SPICE socket (with display,
// inputs and cursor channels, as the page has: QEMU and the guest then do the same work besides),
// runs the same exchanges as the page, and leaves. The bench runs one before the page and one
// after it: the guest speeds up as it settles after boot, and the page's phase sits between the two.
export async function floorPhase(
  shell: SerialShell,
  spicePath: string,
  opts: { rounds: number; warmup: number; echoRounds: () => Promise<number> },
): Promise<AgentSamples> {
  const client = await connectFloor(spicePath);
  try {
    const echo = await opts.echoRounds();
    const toHost = (await guestToClientFloor(shell, client, opts.warmup + opts.rounds)).slice(opts.warmup);
    const toGuest = (await clientToGuestFloor(shell, client, opts.warmup + opts.rounds)).slice(opts.warmup);
    return { toHost, toGuest, echo };
  } finally {
    client.close();
  }
}

// One file copy by the least client, connected for it alone (the page's copies go between the
// floor's, and QEMU's SPICE server takes one client at a time); the guest's download folder is
// emptied after it. `tally` gets the CPU the copy took.
export async function floorFileRound(shell: SerialShell, spicePath: string, id: number, bytes: number, tally: CpuTally): Promise<number> {
  const client = await connectFloor(spicePath);
  try {
    return await tally.around(() => fileFloor(client, id, `floor-${randomBytes(3).toString('hex')}.bin`, bytes));
  } finally {
    client.close();
    await clearDownloads(shell);
  }
}

async function connectFloor(spicePath: string): Promise<SpiceAgentClient> {
  const client = await SpiceAgentClient.connect(spicePath);
  try {
    await client.attachDisplay(spicePath);
    await client.attachInputs(spicePath);
    return client;
  } catch (e) {
    client.close();
    throw e;
  }
}

// Empties the guest agent's download folder between file rounds, so every copy starts alike.
export async function clearDownloads(shell: SerialShell): Promise<void> {
  await shell.timed('rm -f /root/Downloads/*; echo rm-$((1+1))', /rm-2/);
}

function selectionOnWire(client: SpiceAgentClient): boolean {
  return client.agentCaps?.has(AgentCap.CLIPBOARD_SELECTION) ?? false;
}

// Guest to client: the copy typed on the serial console, until the client holds the text. The
// client requests the text the moment the guest grabs, as the page does.
export async function guestToClientFloor(shell: SerialShell, client: SpiceAgentClient, rounds: number): Promise<number[]> {
  const sel = selectionOnWire(client);
  const off = client.onMessage((m) => {
    if (m.type !== AgentMsg.CLIPBOARD_GRAB) return;
    const g = decodeClipboardGrab(m.body, sel);
    if (g.selection === Selection.CLIPBOARD && g.types.includes(ClipboardType.UTF8_TEXT)) {
      client.send(AgentMsg.CLIPBOARD_REQUEST, encodeClipboardRequest(sel ? g.selection : null, ClipboardType.UTF8_TEXT));
    }
  });
  const times: number[] = [];
  try {
    for (let i = 0; i < rounds; i++) {
      const text = randomBytes(512).toString('hex');
      const got = client.next((m) => m.type === AgentMsg.CLIPBOARD && Buffer.from(decodeClipboard(m.body, sel).data).toString('utf8').replace(/\0$/, '') === text);
      const t0 = performance.now();
      shell.send(`printf %s ${text} | xclip -i -selection clipboard`);
      await got;
      times.push(performance.now() - t0);
    }
  } finally {
    off();
  }
  return times;
}

// Client to guest: the guest polls its clipboard for the text (started first, as in the page's
// round), the client grabs and answers the guest's request; until the guest says it has it.
export async function clientToGuestFloor(shell: SerialShell, client: SpiceAgentClient, rounds: number): Promise<number[]> {
  const sel = selectionOnWire(client);
  let offered = '';
  const off = client.onMessage((m) => {
    if (m.type !== AgentMsg.CLIPBOARD_REQUEST) return;
    const r = decodeClipboardRequest(m.body, sel);
    const data = r.type === ClipboardType.UTF8_TEXT ? Buffer.from(offered) : Buffer.alloc(0);
    client.send(AgentMsg.CLIPBOARD, encodeClipboard(sel ? r.selection : null, data.length > 0 ? r.type : ClipboardType.NONE, data));
  });
  const times: number[] = [];
  try {
    for (let i = 0; i < rounds; i++) {
      const text = randomBytes(512).toString('hex');
      const tag = `fl${i}x${randomBytes(2).toString('hex')}`;
      const seen = shell.until(new RegExp(`${tag}-ok`), 120_000);
      shell.send(`until [ "$(xclip -o -selection clipboard 2>/dev/null | head -c 16)" = ${text.slice(0, 16)} ]; do :; done; echo ${tag}-ok`);
      const t0 = performance.now();
      offered = text;
      client.send(AgentMsg.CLIPBOARD_GRAB, encodeClipboardGrab(sel ? Selection.CLIPBOARD : null, [ClipboardType.UTF8_TEXT]));
      await seen;
      times.push(performance.now() - t0);
    }
  } finally {
    off();
  }
  return times;
}

// A file of `size` bytes into the guest with the whole token window: from FILE_XFER_START until
// the guest says the file is written.
export async function fileFloor(client: SpiceAgentClient, id: number, name: string, size: number): Promise<number> {
  const slice = randomBytes(XFER_SLICE);
  // Any status for this transfer; the wrong one fails the floor (the guest said why).
  const status = async (want: number) => {
    const m = await client.next((m) => m.type === AgentMsg.FILE_XFER_STATUS && decodeFileXferStatus(m.body).id === id, 600_000);
    const { result } = decodeFileXferStatus(m.body);
    if (result !== want) throw new Error(`the guest agent answered the file with status ${result}, not ${want}`);
  };
  const t0 = performance.now();
  const canSend = status(XferStatus.CAN_SEND_DATA);
  client.send(AgentMsg.FILE_XFER_START, encodeFileXferStart(id, name, size));
  await canSend;
  const done = status(XferStatus.SUCCESS);
  done.catch(() => undefined); // awaited below; a failure meanwhile must not go unhandled
  for (let sent = 0; sent < size; sent += XFER_SLICE) {
    await client.whenBelow(QUEUE_MARK);
    client.sendMessage(encodeFileXferDataMessage(id, slice.subarray(0, Math.min(XFER_SLICE, size - sent))));
  }
  await done;
  return performance.now() - t0;
}
