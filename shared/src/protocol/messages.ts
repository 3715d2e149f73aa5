import { z } from 'zod';
import { ERROR_CODES, type ErrorCode } from '../errors';

// The wire protocol's version; a client and helper agree on min(theirs, ours) if both support it.
export const PROTOCOL_VERSION = 1;
export const MIN_PROTOCOL_VERSION = 1;
// Frames larger than this are refused before parsing.
export const MAX_MESSAGE_BYTES = 1024 * 1024;

const errorCodeValues = Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]];
export const ErrorCodeSchema = z.enum(errorCodeValues);

export const Hello = z.object({
  type: z.literal('hello'),
  token: z.string().min(1).max(256),
  protocol: z.number().int().min(1),
  client: z.object({ name: z.string().min(1).max(100), version: z.string().max(50) }),
});
export type Hello = z.infer<typeof Hello>;

export const Welcome = z.object({
  type: z.literal('welcome'),
  helperVersion: z.string(),
  protocol: z.number().int(),
  capabilities: z.array(z.string()),
});
export type Welcome = z.infer<typeof Welcome>;

export const RequestMessage = z.object({
  id: z.union([z.number().int(), z.string().max(64)]),
  method: z.string().min(1).max(64),
  params: z.unknown().optional(),
});
export type RequestMessage = z.infer<typeof RequestMessage>;

export const ProtocolError = z.object({
  code: ErrorCodeSchema,
  message: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
});
export type ProtocolError = z.infer<typeof ProtocolError>;

// The error branch comes first: `result: z.unknown()` would also accept an answer that has no
// result, and zod would strip its error.
export const ResponseMessage = z.union([
  z.object({ id: RequestMessage.shape.id.nullable(), error: ProtocolError }),
  z.object({ id: RequestMessage.shape.id, result: z.unknown() }),
]);
export type ResponseMessage = z.infer<typeof ResponseMessage>;

export const EventMessage = z.object({
  event: z.string(),
  data: z.unknown(),
});
export type EventMessage = z.infer<typeof EventMessage>;
