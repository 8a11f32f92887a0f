import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BadRequestError } from '@fh/service-kit';
import { decryptSettings, ENCRYPTED_TEXT, encryptSettings, maskSettings, SecretBox } from './secret-box.ts';

describe('SecretBox: settings encrypted at rest with AES-256-GCM', () => {
  const box = new SecretBox('a server key');

  it('seals and opens a single value; another key or another salt cannot open it', () => {
    const stored = box.encryptSingle('xoxb-token');
    assert.ok(!stored.includes('xoxb-token'));
    assert.equal(box.decryptSingle(stored), 'xoxb-token');
    assert.equal(new SecretBox('another key').decryptSingle(stored), undefined);
    const [, sealed] = stored.split('\t');
    assert.equal(box.decrypt(sealed!, 'another salt'), undefined);
  });

  it('encrypts the keys a map lists in *.encrypt, masks them in answers and gives them back in clear', () => {
    const info = {
      'webhook.features.encrypt': 'webhook.features.header.authorization',
      'webhook.features.header.authorization': 'bearer 123',
      'webhook.features.endpoint': 'https://example.com/hook',
    };
    const sealed = encryptSettings(box, info);
    assert.equal(sealed['webhook.features.header.authorization'], ENCRYPTED_TEXT);
    assert.ok(sealed['webhook.features.header.authorization.encrypted']);
    assert.ok(!JSON.stringify(sealed).includes('bearer 123'));
    assert.deepEqual(maskSettings(sealed), {
      ...info,
      'webhook.features.header.authorization': ENCRYPTED_TEXT,
    });
    assert.deepEqual(decryptSettings(box, sealed), info);

    // The masked value sent back keeps the stored ciphertext.
    const again = encryptSettings(box, maskSettings(sealed), sealed);
    assert.deepEqual(decryptSettings(box, again), info);
  });

  it('without a key, encrypting is a 400 that says how to configure one', () => {
    const none = new SecretBox(undefined);
    assert.throws(
      () => none.encryptSingle('x'),
      (e: unknown) => e instanceof BadRequestError && /WEBHOOK_ENCRYPTION_KEY/.test(e.message),
    );
    assert.deepEqual(encryptSettings(none, { a: 'b' }), { a: 'b' }, 'nothing to encrypt: no key needed');
  });
});
