import assert from 'node:assert/strict';
import { test } from 'node:test';
import { terminalLine, terminalText } from './terminal-text';

const E = '\u001b';

test('terminalLine: control sequences are dropped, the printed text stays', () => {
  const table: Array<[string, string, string]> = [
    ['plain text', 'hello world', 'hello world'],
    ['cursor position query (busybox prompt)', `${E}[6n~ # `, '~ #'],
    ['colours', `${E}[1;32mok${E}[0m done`, 'ok done'],
    ['private mode', `${E}[?25l${E}[?2004hready`, 'ready'],
    ['OSC title ended by BEL', `${E}]0;user@host: ~\u0007$ ls`, '$ ls'],
    ['OSC ended by ST', `${E}]8;;http://x${E}\\link${E}]8;;${E}\\`, 'link'],
    ['DCS', `${E}P1$r0m${E}\\after`, 'after'],
    ['8-bit CSI', '\u009b2Jclear', 'clear'],
    ['charset and keypad', `${E}(B${E}=${E}7text${E}8`, 'text'],
    ['escape cut at the end', `line${E}[12`, 'line'],
    ['lone escape at the end', `line${E}`, 'line'],
    ['carriage return overwrites', 'progress 10%\rprogress 99%', 'progress 99%'],
    ['shorter overwrite keeps the tail', 'abcdef\rXY', 'XYcdef'],
    ['backspace moves back', 'ab\bc', 'ac'],
    ['other controls vanish', 'a\u0007b\u0000c\u007f', 'abc'],
    ['tab stays', 'a\tb', 'a\tb'],
    ['unicode stays', 'Grüße ✓ 日本', 'Grüße ✓ 日本'],
    ['trailing CR from a CRLF line', 'done\r', 'done'],
  ];
  for (const [what, raw, shown] of table) assert.equal(terminalLine(raw), shown, what);
});

test('terminalText: line by line, and no escape character survives', () => {
  const out = terminalText([`${E}[6n# `, `${E}[31mred${E}[m`, '']);
  assert.deepEqual(out, ['#', 'red', '']);
  assert.equal(out.join('\n').includes(E), false);
});
