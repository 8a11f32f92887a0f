import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { BadRequestError, ForbiddenError, NotFoundError, StaleVersionError } from '@fh/service-kit';
import { createFakeStores, type Stores } from '../db/stores.ts';
import { Access } from '../permission/access.ts';
import { ENCRYPTED_TEXT, SecretBox } from './secret-box.ts';
import { SystemConfigService } from './system-config-service.ts';

function access(isSuperuser: boolean): Access {
  return new Access({
    personId: 'p1',
    isSuperuser,
    adminPortfolios: [],
    memberPortfolios: [],
    appRoles: new Map(),
    envRoles: new Map(),
    appsWithEnvRoles: [],
  });
}

describe('SystemConfigService', () => {
  const service = new SystemConfigService(new SecretBox('key'));
  const superuser = access(true);
  let stores: Stores;
  beforeEach(() => {
    stores = createFakeStores();
  });

  it('is for superusers only', async () => {
    await assert.rejects(service.list(stores, access(false), []), ForbiddenError);
    await assert.rejects(service.update(stores, access(false), [], null), ForbiddenError);
  });

  it('lists every known key unfiltered, and the defaults of missing keys under a filter', async () => {
    const all = await service.list(stores, superuser, []);
    assert.ok(all.every((c) => c.version === -1 && c.value === undefined));
    const slack = await service.list(stores, superuser, ['slack.enabled']);
    assert.deepEqual(slack, [{ key: 'slack.enabled', encrypted: false, version: -1, value: false }]);
  });

  it('creates with version -1, updates from the current version, refuses a stale one with 422', async () => {
    const [created] = await service.update(
      stores,
      superuser,
      [{ key: 'slack.enabled', version: -1, value: true }],
      'p1',
    );
    assert.deepEqual(created, { key: 'slack.enabled', encrypted: false, version: 1, value: true });
    await assert.rejects(
      service.update(stores, superuser, [{ key: 'slack.enabled', version: -1, value: false }], 'p1'),
      StaleVersionError,
    );
    const [updated] = await service.update(
      stores,
      superuser,
      [{ key: 'slack.enabled', version: 1, value: false }],
      'p1',
    );
    assert.equal(updated?.version, 2);
  });

  it('refuses unknown keys and values of the wrong type with 400', async () => {
    await assert.rejects(
      service.update(stores, superuser, [{ key: 'nope', version: -1, value: 1 }], null),
      (e: unknown) => e instanceof BadRequestError && /unknown system config key\(s\): nope/.test(e.message),
    );
    await assert.rejects(
      service.update(stores, superuser, [{ key: 'slack.defaultChannel', version: -1, value: 3 }], null),
      BadRequestError,
    );
    await assert.rejects(
      service.update(
        stores,
        superuser,
        [{ key: 'slack.delivery.url', version: -1, value: 'gopher://x' }],
        null,
      ),
      BadRequestError,
    );
  });

  it('stores secrets sealed, answers them masked, decrypts on request; the masked value sent back changes nothing', async () => {
    const [saved] = await service.update(
      stores,
      superuser,
      [{ key: 'slack.bearerToken', version: -1, value: 'xoxb-1' }],
      null,
    );
    assert.equal(saved?.value, ENCRYPTED_TEXT);
    const row = await stores.systemConfigs.find('slack.bearerToken');
    assert.ok(row?.value && !row.value.includes('xoxb-1'));
    assert.equal(await service.decrypt(stores, superuser, 'slack.bearerToken', undefined), 'xoxb-1');
    await service.update(
      stores,
      superuser,
      [{ key: 'slack.bearerToken', version: 1, value: ENCRYPTED_TEXT }],
      null,
    );
    assert.equal(await service.decrypt(stores, superuser, 'slack.bearerToken', undefined), 'xoxb-1');
    assert.equal(await service.decrypt(stores, superuser, 'slack.enabled', undefined), null);
    await assert.rejects(service.decrypt(stores, superuser, 'nope', undefined), NotFoundError);
    assert.equal((await service.values(stores, ['slack.bearerToken'])).get('slack.bearerToken'), 'xoxb-1');
  });

  it('encrypts a headers map entry by entry and decrypts one entry by its map key', async () => {
    await service.update(
      stores,
      superuser,
      [
        {
          key: 'slack.delivery.headers',
          version: -1,
          value: { 'slack.delivery.headers.encrypt': 'authorization', authorization: 'Bearer z', other: 'x' },
        },
      ],
      null,
    );
    const [view] = await service.list(stores, superuser, ['slack.delivery.headers']);
    assert.deepEqual(view?.value, {
      'slack.delivery.headers.encrypt': 'authorization',
      authorization: ENCRYPTED_TEXT,
      other: 'x',
    });
    assert.equal(
      await service.decrypt(stores, superuser, 'slack.delivery.headers', 'authorization'),
      'Bearer z',
    );
  });
});
