import { test } from 'node:test';
import assert from 'node:assert/strict';
import { constants, generateKeyPairSync, privateDecrypt } from 'node:crypto';
import { padTicket } from './spice-ticket';

test('padTicket puts zeros in front up to the key length, and leaves a full ticket alone', () => {
  assert.deepEqual(padTicket([1, 2, 3], 5), [0, 0, 1, 2, 3]);
  assert.deepEqual(padTicket([1, 2, 3, 4, 5], 5), [1, 2, 3, 4, 5]);
  assert.deepEqual(padTicket([], 2), [0, 0]);
});

// spice-html5's own encryption, decrypted by OpenSSL as QEMU does: every padded ticket reads
// back as the password, including the ones spice-html5 made a byte short.
test('spice-html5 tickets, padded, all decrypt to the password (the short ones included)', async () => {
  // jsbn (inside spice-html5) looks at the browser's navigator when it loads; Node 20 has none.
  const g = globalThis as { navigator?: unknown; window?: unknown };
  g.navigator ??= { appName: 'Netscape' };
  g.window ??= globalThis;
  const { create_rsa_from_mb, rsa_encrypt } = await import('@spice-project/spice-html5/src/ticket.js');
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const der = publicKey.export({ type: 'spki', format: 'der' });
  const key = create_rsa_from_mb(der.buffer.slice(der.byteOffset, der.byteOffset + der.length) as ArrayBuffer, 0);
  const password = 'a-display-password-of-43-characters-base64u';
  const decrypt = (bytes: number[]): string | null => {
    try {
      return privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, Buffer.from(bytes)).toString('utf8');
    } catch {
      return null;
    }
  };
  let short = 0;
  for (let i = 0; i < 3000; i++) {
    const ticket = rsa_encrypt(key, `${password}\0`);
    assert.ok(ticket !== null);
    if (ticket.length < 128) {
      short += 1;
      // As spice-html5 sends it: from the start of the 128-byte field, zeros after.
      const asSent = [...ticket, ...new Array<number>(128 - ticket.length).fill(0)];
      assert.notEqual(decrypt(asSent), `${password}\0`, 'a short ticket sent as is does not read as the password');
    }
    assert.equal(decrypt(padTicket(ticket, 128)), `${password}\0`);
  }
  // About one in 200: 3000 tries all at full length would happen once in ~10^5 runs.
  assert.ok(short > 0, 'some tickets came out short, so the padding was exercised');
});
