// WebSocket close codes the API uses, so clients can branch on them (the reason is for people).
// 4xxx are application codes, chosen to echo the HTTP status they resemble.
export const CLOSE = {
  // The helper is stopping; reconnect later.
  GOING_AWAY: 1001,
  // A protocol violation: no hello in time, not a hello, a flood, too many requests in flight.
  POLICY: 1008,
  // A frame larger than MAX_MESSAGE_BYTES (ws closes with this itself).
  TOO_BIG: 1009,
  // An unexpected failure inside the helper.
  INTERNAL: 1011,
  // The client stopped reading and its replies piled up; reconnect.
  TRY_AGAIN: 1013,
  // The token is unknown or was revoked: pair again.
  UNAUTHORIZED: 4401,
  // The client speaks a protocol older than the helper still supports: update the client.
  UPGRADE_CLIENT: 4426,
} as const;
