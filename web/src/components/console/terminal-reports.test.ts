import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isTerminalReport } from './terminal-reports';

test('replies the terminal makes on its own are reports', () => {
  for (const reply of [
    '\x1b[24;5R', // cursor position, as busybox's prompt asks for
    '\x1b[?24;5R',
    '\x1b[?1;2c', // primary device attributes
    '\x1b[>0;276;0c',
    '\x1b[0n', // status: OK
    '\x1b[?2004;2$y', // mode report
    '\x1b[8;24;80t', // text area size
    '\x1bP1$r0m\x1b\\', // setting report
    '\x1b]11;rgb:0000/0000/0000\x1b\\', // background colour
    '\x1b]10;rgb:ffff/ffff/ffff\x07',
    '\x1b[24;5R\x1b[24;5R', // two at once
  ]) {
    assert.equal(isTerminalReport(reply), true, JSON.stringify(reply));
  }
});

test('keystrokes and pastes are not reports', () => {
  for (const typed of [
    'e',
    'echo hi\r',
    '\r',
    '\x03', // Ctrl+C
    '\x04', // Ctrl+D
    '\x1b', // Escape alone
    '\x1b[A', // up arrow
    '\x1b[1;5D', // Ctrl+Left
    '\x1b[3~', // Delete
    '\x1bOP', // F1
    '\x1b[200~pasted\x1b[201~', // bracketed paste
    '\x1b[24;5Rls\r', // a report with typing after it
    'a\x1b[24;5R',
    '',
  ]) {
    assert.equal(isTerminalReport(typed), false, JSON.stringify(typed));
  }
});
