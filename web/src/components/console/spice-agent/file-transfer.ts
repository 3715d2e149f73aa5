import { AgentMsg, encodeAgentMessage, encodeFileXferDataMessage, encodeFileXferStart, encodeFileXferStatus, XferStatus } from './agent-protocol';
import type { AgentOutbox } from './agent-outbox';

// One file on its way into the guest, as the page shows it.
export interface TransferView {
  id: number;
  name: string;
  size: number;
  sent: number;
  state: 'queued' | 'starting' | 'sending' | 'finishing' | 'done' | 'failed' | 'cancelled';
  // Why it failed, in words that say what to do.
  error?: string;
}

// A file's bytes come from a Blob (a dropped File); a slice is read only when it is sent.
export interface TransferSource {
  name: string;
  size: number;
  slice(start: number, end: number): { arrayBuffer(): Promise<ArrayBuffer> };
}

// Each data message carries this much (32 wire pieces, as spice-gtk sends); the sender queues no
// further than QUEUE_MARK pieces ahead, so a big file is never all in memory. The file is read
// READ_BLOCK at a time, the next block while this one is sent: one Blob read takes a trip to the
// browser process, and one per data message set the pace of a whole copy (~1 MiB/s).
export const XFER_SLICE = 64 * 1024;
export const QUEUE_MARK = 96;
export const READ_BLOCK = 1024 * 1024;
// Progress is redrawn at most this often (ms), not per data message: each redraw is a render of
// the console's transfer list, and per 256 KiB they took a tenth of the page's time in a copy.
export const PROGRESS_MS = 100;

// A file's bytes READ_BLOCK at a time, the next block read while the caller sends this one. A
// read that comes back empty before the end (the file shrank on disk) is an error, not a loop.
export async function* fileBlocks(source: TransferSource, size: number): AsyncGenerator<Uint8Array> {
  const read = (start: number) => {
    const block = source
      .slice(start, Math.min(start + READ_BLOCK, size))
      .arrayBuffer()
      .then((b) => new Uint8Array(b));
    // Awaited in turn; a failure while an earlier block is sent (or after the caller stopped)
    // must not go unhandled.
    block.catch(() => undefined);
    return block;
  };
  let next = size > 0 ? read(0) : null;
  let at = 0;
  while (next) {
    const block = await next;
    if (block.length === 0) throw new Error(`the file ended at ${at} of ${size} bytes`);
    at += block.length;
    next = at < size ? read(at) : null;
    yield block;
  }
}

// What the guest's status codes mean for the person who dropped the file.
export function transferError(result: number, detail: Uint8Array): string {
  switch (result) {
    case XferStatus.CANCELLED:
      return 'the guest cancelled the copy';
    case XferStatus.NOT_ENOUGH_SPACE: {
      const free = detail.length >= 8 ? new DataView(detail.buffer, detail.byteOffset, 8).getBigUint64(0, true) : null;
      return `not enough space in the guest${free === null ? '' : ` (${formatBytes(Number(free))} free)`}: free some space there and drop the file again`;
    }
    case XferStatus.SESSION_LOCKED:
      return 'the guest session is locked: unlock it and drop the file again';
    case XferStatus.VDAGENT_NOT_CONNECTED:
      return 'no one is logged in to the guest desktop: log in and drop the file again';
    case XferStatus.DISABLED:
      return 'file copying is turned off in the guest agent (spice-vdagent)';
    default:
      return 'the guest agent could not save the file (see its log in the guest)';
  }
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[u]}`;
}

interface Task {
  view: TransferView;
  source: TransferSource;
}

// Files into the guest, one after the other: START, then the guest says CAN_SEND_DATA, the
// data follows at the pace the agent's tokens allow, and the guest says SUCCESS once the file is
// written (or why not). Cancel tells the guest to drop what it has.
export class FileTransfers {
  private nextId = 1;
  private readonly tasks: Task[] = [];
  private active: Task | null = null;

  constructor(
    // Whole agent messages (header and body) to the guest.
    private readonly sendMessage: (message: Uint8Array) => void,
    private readonly outbox: AgentOutbox,
    private readonly onChange: (views: TransferView[]) => void,
    private readonly clock: () => number = () => performance.now(),
  ) {}

  get views(): TransferView[] {
    return this.tasks.map((t) => ({ ...t.view }));
  }

  add(sources: readonly TransferSource[]): number[] {
    const ids = sources.map((source) => {
      const view: TransferView = { id: this.nextId++, name: source.name, size: source.size, sent: 0, state: 'queued' };
      this.tasks.push({ view, source });
      return view.id;
    });
    this.changed();
    this.startNext();
    return ids;
  }

  cancel(id: number): void {
    const task = this.tasks.find((t) => t.view.id === id);
    if (!task || !isLive(task.view)) return;
    if (task.view.state !== 'queued') this.send(AgentMsg.FILE_XFER_STATUS, encodeFileXferStatus(id, XferStatus.CANCELLED));
    this.finish(task, 'cancelled');
  }

  // Finished ones leave the list (the page keeps them a moment so the person sees the result).
  dismiss(id: number): void {
    const i = this.tasks.findIndex((t) => t.view.id === id && !isLive(t.view));
    if (i >= 0) this.tasks.splice(i, 1);
    this.changed();
  }

  status(id: number, result: number, detail: Uint8Array): void {
    const task = this.active?.view.id === id ? this.active : null;
    if (!task) return;
    if (result === XferStatus.CAN_SEND_DATA) {
      if (task.view.state === 'starting') {
        task.view.state = 'sending';
        this.changed();
        void this.pump(task);
      }
    } else if (result === XferStatus.SUCCESS) this.finish(task, 'done');
    else this.finish(task, 'failed', transferError(result, detail));
  }

  // The agent went away: nothing in flight can finish.
  agentGone(): void {
    for (const t of this.tasks) if (isLive(t.view)) this.finish(t, 'failed', 'the guest agent stopped: the copy did not finish', false);
    this.active = null;
    this.changed();
  }

  private startNext(): void {
    if (this.active) return;
    const task = this.tasks.find((t) => t.view.state === 'queued');
    if (!task) return;
    this.active = task;
    task.view.state = 'starting';
    this.send(AgentMsg.FILE_XFER_START, encodeFileXferStart(task.view.id, task.source.name, task.source.size));
    this.changed();
  }

  private async pump(task: Task): Promise<void> {
    const { view, source } = task;
    try {
      let shownAt = this.clock();
      let blockStart = 0;
      for await (const block of fileBlocks(source, view.size)) {
        for (let at = 0; at < block.length; at += XFER_SLICE) {
          await this.outbox.whenBelow(QUEUE_MARK);
          if (view.state !== 'sending') return;
          const bytes = block.subarray(at, Math.min(at + XFER_SLICE, block.length));
          this.sendMessage(encodeFileXferDataMessage(view.id, bytes));
          view.sent = blockStart + at + bytes.length;
          if (view.sent === view.size || this.clock() - shownAt >= PROGRESS_MS) {
            shownAt = this.clock();
            this.changed();
          }
        }
        blockStart += block.length;
      }
      // An empty file still needs its (empty) data message for the agent to close it.
      if (view.size === 0) this.sendMessage(encodeFileXferDataMessage(view.id, new Uint8Array(0)));
      if (view.state === 'sending') {
        view.state = 'finishing';
        this.changed();
      }
    } catch (e) {
      if (!isLive(view)) return;
      this.send(AgentMsg.FILE_XFER_STATUS, encodeFileXferStatus(view.id, XferStatus.ERROR));
      this.finish(task, 'failed', `the file could not be read (${e instanceof Error ? e.message : String(e)}): drop it again`);
    }
  }

  private send(type: number, body: Uint8Array): void {
    this.sendMessage(encodeAgentMessage(type, body));
  }

  private finish(task: Task, state: 'done' | 'failed' | 'cancelled', error?: string, next = true): void {
    task.view.state = state;
    if (error !== undefined) task.view.error = error;
    if (this.active === task) this.active = null;
    this.changed();
    if (next) this.startNext();
  }

  private changed(): void {
    this.onChange(this.views);
  }
}

function isLive(v: TransferView): boolean {
  return v.state !== 'done' && v.state !== 'failed' && v.state !== 'cancelled';
}
