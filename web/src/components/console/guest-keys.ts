// Keys the console can press on the guest's keyboard by itself (the key-combo menu), each
// named for both display protocols: SPICE takes PC scan codes, VNC takes X keysyms (plus the
// DOM code for QEMU's raw-keycode extension).

export interface GuestKey {
  label: string;
  // PC/AT set-1 scan code; 0x100 + code for the E0-prefixed ones (spice-html5's convention).
  scancode: number;
  keysym: number;
  code: string;
}

const key = (label: string, scancode: number, keysym: number, code: string): GuestKey => ({ label, scancode, keysym, code });

export const KEYS = {
  ctrl: key('Ctrl', 0x1d, 0xffe3, 'ControlLeft'),
  alt: key('Alt', 0x38, 0xffe9, 'AltLeft'),
  shift: key('Shift', 0x2a, 0xffe1, 'ShiftLeft'),
  super: key('Super', 0x15b, 0xffeb, 'MetaLeft'),
  del: key('Del', 0x153, 0xffff, 'Delete'),
  backspace: key('Backspace', 0x0e, 0xff08, 'Backspace'),
  tab: key('Tab', 0x0f, 0xff09, 'Tab'),
  esc: key('Esc', 0x01, 0xff1b, 'Escape'),
  print: key('Print Screen', 0x137, 0xff61, 'PrintScreen'),
  f: (n: number): GuestKey => key(`F${n}`, n <= 10 ? 0x3a + n : 0x57 + (n - 11), 0xffbd + n, `F${n}`),
} as const;

// One entry of the key-combo menu: keys pressed in order and released in reverse.
export interface KeyCombo {
  id: string;
  keys: readonly GuestKey[];
  // Why someone wants it, shown as the item's description.
  hint: string;
}

const combo = (keys: GuestKey[], hint: string): KeyCombo => ({ id: keys.map((k) => k.code).join('+'), keys, hint });

// The menu, most wanted first: what a browser or the host OS would otherwise swallow.
export const KEY_COMBOS: readonly KeyCombo[] = [
  combo([KEYS.ctrl, KEYS.alt, KEYS.del], 'log in to Windows, or reboot most guests'),
  combo([KEYS.ctrl, KEYS.alt, KEYS.backspace], 'restart the X server where enabled'),
  ...[1, 2, 3, 4, 5, 6, 7].map((n) => combo([KEYS.ctrl, KEYS.alt, KEYS.f(n)], `switch to virtual terminal ${n}`)),
  combo([KEYS.alt, KEYS.tab], 'switch windows in the guest'),
  combo([KEYS.alt, KEYS.f(4)], 'close the guest window'),
  combo([KEYS.print], 'take a screenshot inside the guest'),
  combo([KEYS.super], 'open the guest start menu'),
  combo([KEYS.esc], 'Escape, which fullscreen would take for itself'),
];

// The combo's name as a person reads it: "Ctrl+Alt+Del".
export function comboLabel(c: KeyCombo): string {
  return c.keys.map((k) => k.label).join('+');
}

// The presses and releases that make up a combo, in the order they are sent.
export function comboStrokes(keys: readonly GuestKey[]): Array<{ key: GuestKey; down: boolean }> {
  return [...keys.map((k) => ({ key: k, down: true })), ...[...keys].reverse().map((k) => ({ key: k, down: false }))];
}

// The 32-bit value spice-html5's key messages carry: the scan code bytes in wire order, with
// the high bit of the last byte set on release.
export function spiceScancode(k: GuestKey, down: boolean): number {
  const release = down ? 0 : 0x80;
  return k.scancode < 0x100 ? k.scancode | release : 0xe0 | (((k.scancode - 0x100) | release) << 8);
}
