import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BadRequestError } from '@fh/service-kit';
import { checkDestination, isPrivateAddress } from './destination-guard.ts';

describe('refusing loopback and private-network webhook destinations (WEBHOOK_REFUSE_PRIVATE_NETWORKS)', () => {
  it('knows loopback, private, link-local and unique-local addresses', () => {
    for (const a of [
      '127.0.0.1',
      '10.1.2.3',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.1',
      '169.254.169.254',
      '::1',
      'fd00::1',
      'fe80::1',
      '::ffff:127.0.0.1',
    ]) {
      assert.equal(isPrivateAddress(a), true, a);
    }
    for (const a of ['8.8.8.8', '172.32.0.1', '2606:4700::1111', '1.1.1.1'])
      assert.equal(isPrivateAddress(a), false, a);
  });

  it('refuses such a URL with a 400 when asked to, and lets everything through when not (the default)', async () => {
    await assert.rejects(checkDestination('http://127.0.0.1:8080/hook', true), BadRequestError);
    await assert.rejects(checkDestination('http://[::1]/hook', true), BadRequestError);
    await assert.rejects(checkDestination('http://localhost/hook', true), BadRequestError);
    await checkDestination('http://127.0.0.1:8080/hook', false);
    await checkDestination('http://8.8.8.8/hook', true);
  });
});
