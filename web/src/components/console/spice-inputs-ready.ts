import { Constants } from '@spice-project/spice-html5/src/enums.js';
import type { SpiceMainConn } from '@spice-project/spice-html5/src/main.js';

// spice-html5 drops every key and click until its inputs channel has linked, and says nothing
// when that happens: the screen can already show the guest while what is typed is lost (with a
// ticket each channel links on its own, so under load the inputs channel can come well after
// the display). The server's first message on that channel (INPUTS_INIT) is the sign that
// input now reaches the guest; `onReady` is called once, then.
export function whenInputsReady(sc: SpiceMainConn, onReady: () => void): void {
  let told = false;
  const tell = () => {
    if (told) return;
    told = true;
    onReady();
  };
  const processMain = sc.process_channel_message.bind(sc);
  sc.process_channel_message = (msg) => {
    const handled = processMain(msg);
    if (msg.type !== Constants.SPICE_MSG_MAIN_CHANNELS_LIST) return handled;
    const inputs = sc.inputs;
    // A server without an inputs channel has nothing to wait for.
    if (!inputs) {
      tell();
      return handled;
    }
    const processInputs = inputs.process_channel_message?.bind(inputs);
    inputs.process_channel_message = (m) => {
      const done = processInputs?.(m) ?? false;
      if (m.type === Constants.SPICE_MSG_INPUTS_INIT) tell();
      return done;
    };
    return handled;
  };
}
