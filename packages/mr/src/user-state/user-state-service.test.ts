import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { beforeEach, describe, it } from 'node:test';
import { ForbiddenError, NotFoundError } from '@fh/service-kit';
import { createFakeStores, type Stores } from '../db/stores.ts';
import type { EnvironmentRole } from '../group/group-store.ts';
import { Access } from '../permission/access.ts';
import { InvalidUserStateError, UserStateService } from './user-state-service.ts';

/** A person holding `envRoles` in the given environments, and nothing else. */
function accessOf(
  personId: string,
  envRoles: Record<string, EnvironmentRole[]> = {},
  appsWithEnvRoles: string[] = [],
): Access {
  return new Access({
    personId,
    isSuperuser: false,
    adminPortfolios: [],
    memberPortfolios: [],
    appRoles: new Map(),
    envRoles: new Map(Object.entries(envRoles).map(([id, roles]) => [id, new Set(roles)])),
    appsWithEnvRoles,
  });
}

describe('UserStateService: the environments a person sees on the features console', () => {
  const service = new UserStateService();
  let stores: Stores;
  let appId: string;
  let otherAppId: string;
  let dev: string;
  let test: string;
  let prod: string;
  let foreignEnv: string;
  let reader: Access;

  beforeEach(async () => {
    stores = createFakeStores();
    const org = await stores.organisations.create({ name: 'Org' });
    const portfolio = await stores.portfolios.create({ organisationId: org.id, name: 'P' });
    appId = (await stores.applications.create({ portfolioId: portfolio.id, name: 'A' })).id;
    otherAppId = (await stores.applications.create({ portfolioId: portfolio.id, name: 'B' })).id;
    const env = async (applicationId: string, name: string) =>
      (await stores.environments.create({ applicationId, name })).id;
    dev = await env(appId, 'dev');
    test = await env(appId, 'test');
    prod = await env(appId, 'prod');
    foreignEnv = await env(otherAppId, 'elsewhere');
    const person = await stores.persons.create({ email: 'reader@example.com' });
    reader = accessOf(person.id, { [dev]: ['READ'] }, [appId]);
  });

  it('reads as "no choice made" before anything is saved', async () => {
    assert.deepEqual(await service.hiddenEnvironments(stores, reader, appId), {
      noneSelected: false,
      environmentIds: [],
    });
  });

  it('keeps the choice per person and application', async () => {
    const saved = await service.saveHiddenEnvironments(stores, reader, appId, {
      environmentIds: [prod, dev],
    });
    assert.deepEqual(saved, { noneSelected: false, environmentIds: [prod, dev] });
    assert.deepEqual(await service.hiddenEnvironments(stores, reader, appId), saved);

    const someoneElse = accessOf(randomUUID(), { [dev]: ['READ'] }, [appId]);
    assert.deepEqual((await service.hiddenEnvironments(stores, someoneElse, appId)).environmentIds, []);
    const alsoReadsB = accessOf(reader.personId, {}, [appId, otherAppId]);
    assert.deepEqual((await service.hiddenEnvironments(stores, alsoReadsB, otherAppId)).environmentIds, []);
  });

  it('saving again replaces the earlier choice', async () => {
    await service.saveHiddenEnvironments(stores, reader, appId, { environmentIds: [dev, test] });
    await service.saveHiddenEnvironments(stores, reader, appId, { environmentIds: [prod] });
    assert.deepEqual((await service.hiddenEnvironments(stores, reader, appId)).environmentIds, [prod]);
  });

  it('keeps "none selected" apart from "no choice made"', async () => {
    await service.saveHiddenEnvironments(stores, reader, appId, { noneSelected: true, environmentIds: [] });
    assert.deepEqual(await service.hiddenEnvironments(stores, reader, appId), {
      noneSelected: true,
      environmentIds: [],
    });
    await service.saveHiddenEnvironments(stores, reader, appId, {});
    assert.deepEqual(await service.hiddenEnvironments(stores, reader, appId), {
      noneSelected: false,
      environmentIds: [],
    });
  });

  it('lists an environment once however often it was sent', async () => {
    const saved = await service.saveHiddenEnvironments(stores, reader, appId, {
      environmentIds: [dev, dev, test],
    });
    assert.deepEqual(saved.environmentIds, [dev, test]);
  });

  it('refuses environments of another application with 422, naming them, and keeps the earlier choice', async () => {
    await service.saveHiddenEnvironments(stores, reader, appId, { environmentIds: [dev] });
    const unknown = randomUUID();
    await assert.rejects(
      service.saveHiddenEnvironments(stores, reader, appId, { environmentIds: [dev, foreignEnv, unknown] }),
      (err: unknown) => {
        assert.ok(err instanceof InvalidUserStateError);
        assert.equal(err.status, 422);
        assert.match(err.message, new RegExp(`${foreignEnv}.*${unknown}`));
        return true;
      },
    );
    assert.deepEqual((await service.hiddenEnvironments(stores, reader, appId)).environmentIds, [dev]);
  });

  it('refuses more ids than the application has environments with 422', async () => {
    await assert.rejects(
      service.saveHiddenEnvironments(stores, reader, appId, { environmentIds: [dev, test, prod, dev] }),
      (err: unknown) => err instanceof InvalidUserStateError && /has 3/.test(err.message),
    );
  });

  it('drops environments deleted since the choice was saved', async () => {
    await service.saveHiddenEnvironments(stores, reader, appId, { environmentIds: [dev, test] });
    await stores.environments.archive(test);
    assert.deepEqual((await service.hiddenEnvironments(stores, reader, appId)).environmentIds, [dev]);
  });

  it('reads a stored state of an unexpected shape as "no choice made"', async () => {
    await stores.userStates.save(
      { personId: reader.personId, type: 'HIDDEN_ENVIRONMENTS', scopeId: appId },
      'not an object',
    );
    assert.deepEqual(await service.hiddenEnvironments(stores, reader, appId), {
      noneSelected: false,
      environmentIds: [],
    });
  });

  it('is refused (403) to a person who may not read the application, and 404 for an unknown one', async () => {
    const outsider = accessOf(randomUUID(), { [foreignEnv]: ['READ'] }, [otherAppId]);
    await assert.rejects(service.hiddenEnvironments(stores, outsider, appId), ForbiddenError);
    await assert.rejects(
      service.saveHiddenEnvironments(stores, outsider, appId, { environmentIds: [dev] }),
      ForbiddenError,
    );
    await assert.rejects(service.hiddenEnvironments(stores, reader, randomUUID()), NotFoundError);
    await assert.rejects(service.saveHiddenEnvironments(stores, reader, randomUUID(), {}), NotFoundError);
  });
});
