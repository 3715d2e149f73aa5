import assert from 'node:assert/strict';
import { test } from 'node:test';
import { micErrorMessage } from './mic-capture';

test('each way the microphone can fail says what to do next', () => {
  const cases: [unknown, RegExp][] = [
    [new DOMException('Permission denied', 'NotAllowedError'), /allow it in the site settings/],
    [new DOMException('insecure', 'SecurityError'), /allow it in the site settings/],
    [new DOMException('Requested device not found', 'NotFoundError'), /no microphone found; connect one/],
    [new DOMException('busy', 'NotReadableError'), /in use by another program/],
    [new DOMException('no API', 'NotSupportedError'), /127\.0\.0\.1/],
    [new Error('odd'), /could not be opened \(odd\)/],
    ['text', /could not be opened \(text\)/],
  ];
  for (const [e, want] of cases) assert.match(micErrorMessage(e), want, String(e));
});
