import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resumeArgs } from './restore';
import type { SavedStateFacts } from './saved-state';

const facts = (machine: string | null): SavedStateFacts => ({ savedAt: '2025-05-03T12:00:00.000Z', qemuVersion: '7.2.22', machine, accelerator: 'tcg', running: true, bytes: 1 });

// The resumed QEMU runs on the board version that saved the state and waits for the stream.
const cases: Array<[string, string[], SavedStateFacts | null, string[]]> = [
  ['alias pinned, options kept', ['-S', '-machine', 'q35,smm=on,pflash0=fw'], facts('pc-q35-7.2'), ['-S', '-machine', 'pc-q35-7.2,smm=on,pflash0=fw', '-incoming', 'defer']],
  ['alias alone', ['-machine', 'pc'], facts('pc-i440fx-7.2'), ['-machine', 'pc-i440fx-7.2', '-incoming', 'defer']],
  ['no machine recorded: as configured', ['-machine', 'q35'], facts(null), ['-machine', 'q35', '-incoming', 'defer']],
  ['no facts file', ['-machine', 'q35'], null, ['-machine', 'q35', '-incoming', 'defer']],
  ['no -machine at all', ['-S'], facts('pc-q35-7.2'), ['-S', '-incoming', 'defer']],
];

for (const [name, args, saved, expected] of cases) {
  test(`resumeArgs: ${name}`, () => {
    assert.deepEqual(resumeArgs(args, saved), expected);
    assert.deepEqual(args.includes('-incoming'), false, 'the launch plan itself is left alone');
  });
}
