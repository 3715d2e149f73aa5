import type { EventName, EVENTS } from '@openutm/shared';
import type { z } from 'zod';
import type { VmEngine } from '../vm-service/vm-engine';

// Receives one serialized `{event, data}` frame.
export type EventSink = (frame: string) => void;

// Carries engine events to every authenticated connection. One engine subscription for all
// of them (not one per socket, which would trip EventEmitter's leak warning at eleven clients
// and leak for real if a close path forgot to unsubscribe); each event is serialized once.
export class EventFanout {
  private readonly sinks = new Set<EventSink>();
  private readonly detach: () => void;

  constructor(
    engine: Pick<VmEngine, 'on' | 'off'>,
    private readonly log: (line: string) => void,
  ) {
    const onState = (data: z.infer<(typeof EVENTS)['vm.state']>) => this.publish('vm.state', data);
    const onChanged = (data: { id: string }) => this.publish('vm.changed', { id: data.id });
    const onRemoved = (data: { id: string }) => this.publish('vm.removed', { id: data.id });
    const onProgress = (data: z.infer<(typeof EVENTS)['job.progress']>) => this.publish('job.progress', data);
    engine.on('state', onState);
    engine.on('changed', onChanged);
    engine.on('removed', onRemoved);
    engine.on('progress', onProgress);
    this.detach = () => {
      engine.off('state', onState);
      engine.off('changed', onChanged);
      engine.off('removed', onRemoved);
      engine.off('progress', onProgress);
    };
  }

  // Returns the unsubscribe function; connections call it when they close.
  subscribe(sink: EventSink): () => void {
    this.sinks.add(sink);
    return () => this.sinks.delete(sink);
  }

  get size(): number {
    return this.sinks.size;
  }

  // Also for events that do not come from the engine.
  publish<E extends EventName>(event: E, data: z.infer<(typeof EVENTS)[E]>): void {
    const frame = JSON.stringify({ event, data });
    for (const sink of [...this.sinks]) {
      try {
        sink(frame);
      } catch (e) {
        this.log(`dropping an event for one client: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }

  close(): void {
    this.detach();
    this.sinks.clear();
  }
}
