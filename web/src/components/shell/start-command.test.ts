import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hostPlatform, startCommand } from './start-command';

test('the start command follows the platform in the user agent', () => {
  const cases: Array<[string, string]> = [
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/130 Safari/537.36', 'openutm.exe serve'],
    ['Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Version/17.5 Safari/605.1.15', 'openutm serve'],
    ['Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 HeadlessChrome/130 Safari/537.36', 'openutm serve'],
  ];
  for (const [ua, command] of cases) assert.equal(startCommand(hostPlatform(ua)), command, ua);
  assert.equal(hostPlatform('Mozilla/5.0 (Windows NT 10.0)'), 'windows');
  assert.equal(hostPlatform('Mozilla/5.0 (X11; Linux x86_64)'), 'linux');
});
