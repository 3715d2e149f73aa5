import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

// Waits until a log file contains text; tests read the guest's serial log this way.
export async function waitForText(file: string, text: string, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let content = '';
  while (Date.now() < deadline) {
    content = await readFile(file, 'utf8').catch(() => '');
    if (content.includes(text)) return content;
    await sleep(200);
  }
  throw new Error(`"${text}" did not appear in ${file} within ${timeoutMs / 1000} s; it holds:\n${content.slice(-2000)}`);
}

// Waits until the log matches a pattern (a typed line's echo ends in the tty's line break).
export async function waitForMatch(file: string, pattern: RegExp, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let content = '';
  while (Date.now() < deadline) {
    content = await readFile(file, 'utf8').catch(() => '');
    if (pattern.test(content)) return content;
    await sleep(200);
  }
  throw new Error(`${pattern} did not match ${file} within ${timeoutMs / 1000} s; it holds:\n${content.slice(-2000)}`);
}

// Waits until text occurs at least `count` times (a reboot prints the ready marker again).
export async function waitForCount(file: string, text: string, count: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let seen = 0;
  while (Date.now() < deadline) {
    seen = (await readFile(file, 'utf8').catch(() => '')).split(text).length - 1;
    if (seen >= count) return;
    await sleep(200);
  }
  throw new Error(`"${text}" appeared ${seen} times in ${file}, not ${count}, within ${timeoutMs / 1000} s`);
}

// Waits until the guest's shell has printed its prompt after the last ready marker: input typed
// before the shell opens the serial port may be lost to its start-up.
export async function waitForPrompt(file: string, marker: string, prompt: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let content = '';
  while (Date.now() < deadline) {
    content = await readFile(file, 'utf8').catch(() => '');
    const at = content.lastIndexOf(marker);
    if (at >= 0 && content.slice(at + marker.length).includes(prompt)) return;
    await sleep(200);
  }
  throw new Error(`no shell prompt ${JSON.stringify(prompt)} after "${marker}" in ${file} within ${timeoutMs / 1000} s; it holds:\n${content.slice(-2000)}`);
}
