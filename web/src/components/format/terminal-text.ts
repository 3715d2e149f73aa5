// A serial log is what a terminal was sent, not what it showed: shells ask where the cursor is
// (ESC [6n), colour their prompts, set window titles. Shown raw in a <pre> that is noise such as
// "␛[6n". This renders a log line as a terminal would have left it: control sequences dropped,
// carriage returns and backspaces applied, other control characters removed.

const ESC = '\u001b';

// ESC [ … final (CSI), 8-bit CSI, ESC ] … BEL/ST (OSC), ESC P/X/^/_ … ST (DCS, SOS, PM, APC), and
// the short ESC forms (ESC 7, ESC ( B, ESC =). An escape cut off at the end of the line goes too.
const SEQUENCES = new RegExp(
  [
    `(?:${ESC}\\[|\u009b)[\\x30-\\x3f]*[\\x20-\\x2f]*(?:[\\x40-\\x7e]|$)`,
    `(?:${ESC}\\]|\u009d)[^\\u0007\\u001b\\u009c]*(?:\\u0007|${ESC}\\\\|\u009c|$)`,
    `(?:${ESC}[PX^_]|[\u0090\u0098\u009e\u009f])[^\\u001b\\u009c]*(?:${ESC}\\\\|\u009c|$)`,
    `${ESC}[\\x20-\\x2f]*[\\x30-\\x7e]?`,
  ].join('|'),
  'g',
);

// Control characters a terminal does not print (tab, CR and backspace are handled apart).
const INVISIBLE = /[\u0000-\u0007\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;

// One log line as a terminal shows it.
export function terminalLine(raw: string): string {
  const text = raw.replace(SEQUENCES, '');
  let shown: string[] = [];
  let column = 0;
  for (const ch of text) {
    if (ch === '\r') {
      column = 0;
    } else if (ch === '\b') {
      column = Math.max(0, column - 1);
    } else if (!INVISIBLE.test(ch)) {
      shown[column] = ch;
      column += 1;
    }
    INVISIBLE.lastIndex = 0;
  }
  shown = Array.from(shown, (c) => c ?? ' ');
  return shown.join('').trimEnd();
}

// Every line of a log, for a <pre>.
export function terminalText(lines: readonly string[]): string[] {
  return lines.map(terminalLine);
}
