import type { KeyStroke } from '@openutm/shared';

// One event of QMP input-send-event (qapi/ui.json InputEvent), keys only.
export interface KeyInputEvent {
  type: 'key';
  data: { down: boolean; key: { type: 'qcode'; data: string } };
}

// AltGr is the right Alt key to the guest (QEMU's "altgr" qcode reaches no PS/2 scancode).
const SHIFT = 'shift';
const ALTGR = 'alt_r';

const key = (qcode: string, down: boolean): KeyInputEvent => ({ type: 'key', data: { down, key: { type: 'qcode', data: qcode } } });

// The events of one stroke in the order a person's fingers make them: modifiers down, the key
// down and up, modifiers up in reverse. All in one command, so no modifier stays held if the
// helper stops half-way.
export function strokeEvents(stroke: KeyStroke): KeyInputEvent[] {
  const modifiers = [...(stroke.altgr ? [ALTGR] : []), ...(stroke.shift ? [SHIFT] : [])];
  return [
    ...modifiers.map((m) => key(m, true)),
    key(stroke.key, true),
    key(stroke.key, false),
    ...modifiers.reverse().map((m) => key(m, false)),
  ];
}
