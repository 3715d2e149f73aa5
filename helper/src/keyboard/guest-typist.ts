import { setTimeout as sleep } from 'node:timers/promises';
import {
  KEYBOARD_LAYOUT_NAMES,
  OpenUtmError,
  planKeystrokes,
  untypableMessage,
  type JobProgress,
  type TypeResult,
  type TypeVia,
  type VmAction,
  type VmConfig,
} from '@openutm/shared';
import type { QmpClient } from '../qmp/qmp-client';
import type { SerialHub } from '../console-bridge/serial-hub';
import { runJob, type ReportStep } from '../vm-service/job-progress';
import { strokeEvents } from './qmp-key-events';

// What typing needs from the engine (VmEngine has it).
export interface TypistEngine {
  get(id: string): Promise<{ config: VmConfig }>;
  monitorFor(id: string, action: VmAction): QmpClient;
  serialHub(id: string): SerialHub;
}

export interface TypistOptions {
  engine: TypistEngine;
  emit: (progress: JobProgress) => void;
  // The pause after each keystroke. QEMU's PS/2 keyboard holds 16 scancodes and drops what
  // comes while that is full; a guest under TCG empties it slower than QMP fills it.
  keyDelayMs?: number;
  // Serial input goes in chunks this big, one per serialDelayMs, so a guest reading its
  // port slowly (canonical tty, 4 KiB line buffer) is not flooded and progress moves.
  serialChunk?: number;
  serialDelayMs?: number;
}

export const TYPING_DEFAULTS = { keyDelayMs: 25, serialChunk: 64, serialDelayMs: 8 } as const;

export interface TypeRequest {
  id: string;
  text: string;
  via: TypeVia;
  job?: string;
}

// Types text into running VMs, one text per VM at a time, each cancellable.
export class GuestTypist {
  private readonly active = new Map<string, AbortController>();

  constructor(private readonly opts: TypistOptions) {}

  async type(req: TypeRequest): Promise<TypeResult> {
    // Reserved before the first await: two calls racing through engine.get (file reads, done in
    // either order) must not both find the VM free.
    if (this.active.has(req.id)) {
      const { config } = await this.opts.engine.get(req.id);
      throw new OpenUtmError('CONFLICT', `${config.name} is already being typed into; wait for that to end or cancel it`);
    }
    const abort = new AbortController();
    this.active.set(req.id, abort);
    try {
      const { config } = await this.opts.engine.get(req.id);
      const via = req.via === 'auto' ? (config.display.type === 'none' ? 'serial' : 'keyboard') : req.via;
      // Checked before anything is typed: a half-typed text is worse than none.
      const plan = via === 'keyboard' ? this.keyboardPlan(config, req.text) : null;
      const qmp = via === 'keyboard' ? this.opts.engine.monitorFor(req.id, 'type') : null;
      const hub = via === 'serial' ? this.serialFor(req.id) : null;
      const label = via === 'keyboard' ? 'Typing' : 'Typing on the serial port';
      const typed = await runJob({ job: req.job, vm: req.id, kind: 'type', label, emit: this.opts.emit }, (report) =>
        qmp && plan ? this.typeKeys(qmp, plan, abort.signal, report) : this.typeSerial(hub!, req.text, abort.signal, report),
      );
      return { typed, via };
    } finally {
      this.active.delete(req.id);
    }
  }

  // Stops the typing into a VM after the keystroke under way; false when none was going on.
  cancel(id: string): boolean {
    const abort = this.active.get(id);
    abort?.abort();
    return abort !== undefined;
  }

  private keyboardPlan(config: VmConfig, text: string): ReturnType<typeof planKeystrokes> {
    const plan = planKeystrokes(text, config.keyboardLayout);
    if (plan.untypable.length > 0) {
      const message = `${untypableMessage(KEYBOARD_LAYOUT_NAMES[config.keyboardLayout], plan.untypable)} (\`openutm edit VM --keyboard-layout us|uk|de|fr\`)`;
      throw new OpenUtmError('UNTYPABLE_TEXT', message, { layout: config.keyboardLayout, untypable: plan.untypable });
    }
    return plan;
  }

  private serialFor(id: string): SerialHub {
    this.opts.engine.monitorFor(id, 'type');
    return this.opts.engine.serialHub(id);
  }

  private async typeKeys(qmp: QmpClient, plan: ReturnType<typeof planKeystrokes>, signal: AbortSignal, report: ReportStep): Promise<number> {
    const delay = this.opts.keyDelayMs ?? TYPING_DEFAULTS.keyDelayMs;
    const total = plan.chars.length;
    let done = 0;
    for (const { strokes } of plan.chars) {
      stopIfCancelled(signal, done, total);
      for (const stroke of strokes) {
        await qmp.execute('input-send-event', { events: strokeEvents(stroke) });
        await sleep(delay);
      }
      done++;
      report({ done, total, label: 'Typing' });
    }
    return done;
  }

  // A terminal's Enter is a carriage return; the guest's tty turns it into a newline if it wants.
  private async typeSerial(hub: SerialHub, text: string, signal: AbortSignal, report: ReportStep): Promise<number> {
    const chunk = this.opts.serialChunk ?? TYPING_DEFAULTS.serialChunk;
    const delay = this.opts.serialDelayMs ?? TYPING_DEFAULTS.serialDelayMs;
    const chars = [...text.replace(/\r?\n/g, '\r')];
    const typing = hub.subscribe({ send: () => undefined, close: () => undefined });
    try {
      let done = 0;
      while (done < chars.length) {
        stopIfCancelled(signal, done, chars.length);
        const piece = chars.slice(done, done + chunk);
        typing.write(piece.join(''));
        done += piece.length;
        report({ done, total: chars.length, label: 'Typing on the serial port' });
        await sleep(delay);
      }
      return done;
    } finally {
      typing.unsubscribe();
    }
  }
}

function stopIfCancelled(signal: AbortSignal, done: number, total: number): void {
  if (signal.aborted) throw new OpenUtmError('CANCELLED', `typing was cancelled after ${done} of ${total} characters`, { typed: done, total });
}
