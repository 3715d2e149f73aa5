import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Constants } from '@spice-project/spice-html5/src/enums.js';
import type { SpiceMainConn } from '@spice-project/spice-html5/src/main.js';
import type { SpiceConn, SpiceMessage } from '@spice-project/spice-html5/src/spiceconn.js';
import { whenInputsReady } from './spice-inputs-ready';

// The parts of spice-html5's main channel the hook touches: its message handler, which (like
// spice-html5's) makes the inputs channel when the channel list arrives.
function mainChannel(offersInputs: boolean) {
  const seen: number[] = [];
  const inputs = { process_channel_message: (m: SpiceMessage) => (seen.push(m.type), true) } as unknown as SpiceConn;
  const sc = {
    inputs: undefined as SpiceConn | undefined,
    process_channel_message(m: SpiceMessage) {
      if (m.type === Constants.SPICE_MSG_MAIN_CHANNELS_LIST && offersInputs) this.inputs = inputs;
      return true;
    },
  };
  return { sc: sc as unknown as SpiceMainConn, seen };
}
const msg = (type: number): SpiceMessage => ({ type, size: 0, data: undefined });
const MAIN_INIT = 103;
const KEY_MODIFIERS = 102;

test('input is ready at the inputs channel\'s first message, not when the main channel or the channel list arrive', () => {
  const { sc, seen } = mainChannel(true);
  let ready = 0;
  whenInputsReady(sc, () => (ready += 1));
  sc.process_channel_message(msg(MAIN_INIT));
  sc.process_channel_message(msg(Constants.SPICE_MSG_MAIN_CHANNELS_LIST));
  assert.equal(ready, 0, 'the inputs channel has not linked yet');
  assert.ok(sc.inputs?.process_channel_message?.(msg(KEY_MODIFIERS)));
  assert.equal(ready, 0, 'only INPUTS_INIT says it linked');
  sc.inputs?.process_channel_message?.(msg(Constants.SPICE_MSG_INPUTS_INIT));
  sc.inputs?.process_channel_message?.(msg(Constants.SPICE_MSG_INPUTS_INIT));
  assert.equal(ready, 1, 'told once');
  assert.deepEqual(seen, [KEY_MODIFIERS, Constants.SPICE_MSG_INPUTS_INIT, Constants.SPICE_MSG_INPUTS_INIT], "spice-html5's own handler still gets every message");
});

test('a server without an inputs channel is ready with its channel list', () => {
  const { sc } = mainChannel(false);
  let ready = 0;
  whenInputsReady(sc, () => (ready += 1));
  sc.process_channel_message(msg(MAIN_INIT));
  assert.equal(ready, 0);
  sc.process_channel_message(msg(Constants.SPICE_MSG_MAIN_CHANNELS_LIST));
  assert.equal(ready, 1);
});
