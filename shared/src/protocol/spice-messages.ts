// SPICE wire numbers (spice-protocol's enums.h) that OpenUTM reads or writes itself: the page's
// agent and sound channels, the helper's agent window in the console bridge, and the benches'
// least client. One table, so a number is never mistyped in one of them.

export const SPICE_CHANNEL = { MAIN: 1, DISPLAY: 2, INPUTS: 3, CURSOR: 4 } as const;

// Server → client.
export const SPICE_MSG = {
  SET_ACK: 3,
  PING: 4,
  MAIN_INIT: 103,
  MAIN_AGENT_CONNECTED: 107,
  MAIN_AGENT_DISCONNECTED: 108,
  MAIN_AGENT_DATA: 109,
  MAIN_AGENT_TOKEN: 110,
  MAIN_AGENT_CONNECTED_TOKENS: 115,
} as const;

// Client → server.
export const SPICE_MSGC = {
  ACK_SYNC: 1,
  ACK: 2,
  PONG: 3,
  DISPLAY_INIT: 101,
  MAIN_AGENT_START: 106,
  MAIN_AGENT_DATA: 107,
} as const;
