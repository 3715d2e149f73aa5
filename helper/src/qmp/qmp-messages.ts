import { z } from 'zod';

// Wire shapes from QEMU's docs/interop/qmp-spec.rst. Unknown members are dropped, not refused: the spec lets
// newer QEMUs add members, and a client must ignore them rather than fail.

const JsonObjectSchema = z.record(z.string(), z.unknown());

// The version triple QEMU reports in its greeting and from query-version.
export const QmpVersionInfoSchema = z.object({
  qemu: z.object({ major: z.number().int(), minor: z.number().int(), micro: z.number().int() }),
  package: z.string(),
});
export type QmpVersionInfo = z.infer<typeof QmpVersionInfoSchema>;

// The first line QEMU sends on every new monitor connection.
export const QmpGreetingSchema = z.object({
  QMP: z.object({ version: QmpVersionInfoSchema, capabilities: z.array(z.string()) }),
});
export type QmpGreeting = z.infer<typeof QmpGreetingSchema>;

// `id` is echoed verbatim and may be any JSON value; it is absent when QEMU could not read the
// request far enough to find it (a JSON parse error on its side).
const QmpReturnSchema = z.object({ return: z.unknown(), id: z.unknown().optional() });
const QmpErrorSchema = z.object({
  error: z.object({ class: z.string(), desc: z.string() }),
  id: z.unknown().optional(),
});

const QmpTimestampSchema = z.object({ seconds: z.number(), microseconds: z.number() });

// An asynchronous notification; `data` is per-event and optional (STOP, RESUME have none).
export const QmpEventSchema = z.object({
  event: z.string(),
  data: JsonObjectSchema.optional(),
  timestamp: QmpTimestampSchema,
});
export type QmpEvent = z.infer<typeof QmpEventSchema>;

// The body of an error reply: `class` (GenericError, CommandNotFound, …) is for code, `desc` for people.
export type QmpErrorBody = { class: string; desc: string };

// One line from QEMU after validation; the client never looks at a line that did not pass here.
export type QmpServerMessage =
  | { type: 'greeting'; greeting: QmpGreeting }
  | { type: 'return'; id: unknown; value: unknown }
  | { type: 'error'; id: unknown; error: QmpErrorBody }
  | { type: 'event'; event: QmpEvent };

// Why a line was not a QMP message: not JSON at all, or JSON of a shape QMP never sends.
export type QmpParseFailure = { kind: 'not-json' | 'unknown-shape'; message: string };

export type QmpParseResult = { ok: true; message: QmpServerMessage } | ({ ok: false } & QmpParseFailure);

// The one parse step for QEMU's output: JSON first, then the shape picked by its marker member.
export function parseServerMessage(line: string): QmpParseResult {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (e) {
    return { ok: false, kind: 'not-json', message: `the line is not JSON (${(e as Error).message})` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, kind: 'unknown-shape', message: 'QMP messages are JSON objects; this line is not one' };
  }
  if ('QMP' in value) return shaped(QmpGreetingSchema, value, 'greeting', (greeting) => ({ type: 'greeting', greeting }));
  if ('event' in value) return shaped(QmpEventSchema, value, 'event', (event) => ({ type: 'event', event }));
  if ('return' in value) {
    return shaped(QmpReturnSchema, value, 'reply', (m) => ({ type: 'return', id: m.id, value: m.return }));
  }
  if ('error' in value) {
    return shaped(QmpErrorSchema, value, 'error reply', (m) => ({
      type: 'error',
      id: m.id,
      error: { class: m.error.class, desc: m.error.desc },
    }));
  }
  return { ok: false, kind: 'unknown-shape', message: 'the object has none of the members QMP, event, return or error' };
}

function shaped<S extends z.ZodType>(
  schema: S,
  value: unknown,
  what: string,
  build: (parsed: z.output<S>) => QmpServerMessage,
): QmpParseResult {
  const parsed = schema.safeParse(value);
  if (!parsed.success) return { ok: false, kind: 'unknown-shape', message: `malformed ${what}: ${describeIssues(parsed.error)}` };
  return { ok: true, message: build(parsed.data) };
}

// A short, one-line account of why data did not match a schema, for error messages and logs.
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
}

// ---- Results of the commands the VM service uses ----

// query-status (qapi/run-state.json StatusInfo). `status` stays a string so a RunState added by
// a newer QEMU does not make the answer unreadable; `singlestep` is deprecated and newer
// QEMUs leave it out.
export const QmpStatusInfoSchema = z.object({
  status: z.string(),
  running: z.boolean(),
  singlestep: z.boolean().optional(),
});
export type QmpStatusInfo = z.infer<typeof QmpStatusInfoSchema>;

// ---- Events that change or report VM state ----

// Event names the VM service reacts to (qapi/run-state.json, qapi/block.json).
export const QMP_STATE_EVENTS = [
  'STOP',
  'RESUME',
  'SHUTDOWN',
  'RESET',
  'POWERDOWN',
  'GUEST_PANICKED',
  'DEVICE_TRAY_MOVED',
] as const;
export type QmpStateEventName = (typeof QMP_STATE_EVENTS)[number];

// SHUTDOWN and RESET carry who asked (`guest`) and a ShutdownCause such as 'guest-shutdown' or
// 'host-qmp-quit'; kept a string so newer causes still parse.
const ShutdownDataSchema = z.object({ guest: z.boolean(), reason: z.string() });
export type QmpShutdownData = z.infer<typeof ShutdownDataSchema>;

const withoutData = <N extends QmpStateEventName>(name: N) =>
  z.object({ event: z.literal(name), timestamp: QmpTimestampSchema });

// The state events with their data checked, one variant per event name.
export const QmpStateEventSchema = z.discriminatedUnion('event', [
  withoutData('STOP'),
  withoutData('RESUME'),
  withoutData('POWERDOWN'),
  z.object({ event: z.literal('SHUTDOWN'), data: ShutdownDataSchema, timestamp: QmpTimestampSchema }),
  z.object({ event: z.literal('RESET'), data: ShutdownDataSchema, timestamp: QmpTimestampSchema }),
  z.object({
    event: z.literal('GUEST_PANICKED'),
    data: z.object({ action: z.string(), info: JsonObjectSchema.optional() }),
    timestamp: QmpTimestampSchema,
  }),
  z.object({
    event: z.literal('DEVICE_TRAY_MOVED'),
    data: z.object({ device: z.string(), id: z.string(), 'tray-open': z.boolean() }),
    timestamp: QmpTimestampSchema,
  }),
]);
export type QmpStateEvent = z.infer<typeof QmpStateEventSchema>;

// Narrows a raw event to a typed state event; null for other events or data QEMU should not send.
export function parseStateEvent(event: QmpEvent): QmpStateEvent | null {
  if (!(QMP_STATE_EVENTS as readonly string[]).includes(event.event)) return null;
  const parsed = QmpStateEventSchema.safeParse(event);
  return parsed.success ? parsed.data : null;
}
