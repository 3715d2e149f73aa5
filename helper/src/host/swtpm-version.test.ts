import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { parseSwtpmVersion, swtpmVersion } from './swtpm-version';

test('parseSwtpmVersion reads the version from the first line swtpm prints', () => {
  assert.equal(parseSwtpmVersion('TPM emulator version 0.7.1, Copyright (c) 2014-2021 IBM Corp.\n'), '0.7.1');
  assert.equal(parseSwtpmVersion('TPM emulator version 0.10.0, Copyright (c) 2014-2022 IBM Corp. and others'), '0.10.0');
  assert.equal(parseSwtpmVersion('swtpm: unrecognized option'), null);
});

test('swtpmVersion asks the installed swtpm', { skip: existsSync('/usr/bin/swtpm') ? false : 'swtpm is not installed' }, async () => {
  assert.match((await swtpmVersion('/usr/bin/swtpm')) ?? '', /^\d+\.\d+/);
});

test('swtpmVersion is null when the program cannot run', async () => {
  assert.equal(await swtpmVersion('/nonexistent/swtpm'), null);
});
