import type { QgaFrame } from './qga-framing';

// One answer of the agent: a return value, or its error (class and description, as QMP has).
export type QgaReply =
  | { kind: 'return'; value: unknown; id: unknown }
  | { kind: 'error'; errorClass: string; desc: string; id: unknown };

// Parses one line; null for anything that is not a reply (noise, a half line after a reset).
export function parseReply(line: string): QgaReply | null {
  let msg: unknown;
  try {
    msg = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) return null;
  const m = msg as Record<string, unknown>;
  if ('return' in m) return { kind: 'return', value: m.return, id: m.id };
  if (typeof m.error === 'object' && m.error !== null) {
    const e = m.error as Record<string, unknown>;
    return { kind: 'error', errorClass: typeof e.class === 'string' ? e.class : 'GenericError', desc: typeof e.desc === 'string' ? e.desc : 'no description', id: m.id };
  }
  return null;
}

// What the client waits for on the stream. `armed`: a sentinel came, so the next line may be
// the answer to our sync.
export type Awaiting = { kind: 'idle' } | { kind: 'sync'; id: number; armed: boolean } | { kind: 'reply'; id: number };

export type Settled = { kind: 'synced' } | { kind: 'reply'; reply: QgaReply };

// The agent answers in order but a stream may carry stale answers (a previous client's, one to
// a request that timed out, a sync sent while the agent was not running yet). This decides, frame
// by frame, whether what came is the answer awaited: a sync only by its id right after a
// sentinel, a reply by its echoed id (or none, for agents that do not echo it).
export function acceptFrame(awaiting: Awaiting, frame: QgaFrame): { awaiting: Awaiting; settled: Settled | null } {
  const stay = { awaiting, settled: null };
  switch (awaiting.kind) {
    case 'idle':
      return stay;
    case 'sync': {
      if (frame.type === 'sentinel') return { awaiting: { ...awaiting, armed: true }, settled: null };
      if (!awaiting.armed || frame.type !== 'line') return { awaiting: { ...awaiting, armed: false }, settled: null };
      const reply = parseReply(frame.line);
      if (reply?.kind === 'return' && reply.value === awaiting.id) return { awaiting: { kind: 'idle' }, settled: { kind: 'synced' } };
      return { awaiting: { ...awaiting, armed: false }, settled: null };
    }
    case 'reply': {
      if (frame.type === 'sentinel') return stay;
      if (frame.type === 'overflow') {
        const reply: QgaReply = { kind: 'error', errorClass: 'TooLong', desc: `the agent's answer is longer than ${frame.limit} bytes`, id: awaiting.id };
        return { awaiting: { kind: 'idle' }, settled: { kind: 'reply', reply } };
      }
      const reply = parseReply(frame.line);
      if (reply === null || (reply.id !== undefined && reply.id !== awaiting.id)) return stay;
      return { awaiting: { kind: 'idle' }, settled: { kind: 'reply', reply } };
    }
  }
}
