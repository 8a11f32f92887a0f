import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ConflictError, NotFoundError, StaleVersionError } from '@fh/service-kit';
import type { TransactionalStores } from '../db/stores.ts';

// One behavioural contract for every store implementation: the in-memory fakes, SQLite, PostgreSQL and
// MySQL run exactly these tests, so the fakes used by unit tests cannot drift from the real thing.
// Tests share one database per suite, so each builds its own organisation/portfolio and unique emails.

export interface ContractTarget {
  stores: TransactionalStores;
  /** Moves the stores' clock forward. */
  advance(ms: number): void;
  close(): Promise<void>;
}

const unique = () => randomUUID().slice(0, 8);

async function rejectsWith(
  promise: Promise<unknown>,
  type: new (...args: never[]) => Error,
  status?: number,
) {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof type, `expected ${type.name}, got ${String(err)}`);
    if (status !== undefined) assert.equal((err as { status?: number }).status, status);
    return true;
  });
}

export function storeContract(label: string, open: () => Promise<ContractTarget>): void {
  describe(`store contract: ${label}`, () => {
    let target: ContractTarget;
    let s: TransactionalStores;

    before(async () => {
      target = await open();
      s = target.stores;
    });
    after(async () => {
      await target?.close();
    });

    async function portfolio() {
      const org = await s.organisations.create({ name: `org ${unique()}` });
      const p = await s.portfolios.create({ organisationId: org.id, name: 'Portfolio' });
      return { org, portfolio: p };
    }

    async function application() {
      const { org, portfolio: p } = await portfolio();
      const app = await s.applications.create({ portfolioId: p.id, name: 'App' });
      return { org, portfolio: p, app };
    }

    describe('organisation', () => {
      it('creates, reads and updates the organisation, refusing a stale version', async () => {
        const org = await s.organisations.create({ name: 'Acme' });
        assert.equal(org.version, 1);
        assert.equal(org.groupId, null);
        assert.ok((await s.organisations.findFirst()) !== undefined);
        const updated = await s.organisations.update(org.id, { groupId: 'g-1', version: 1 });
        assert.equal(updated.name, 'Acme');
        assert.equal(updated.groupId, 'g-1');
        assert.equal(updated.version, 2);
        await rejectsWith(s.organisations.update(org.id, { name: 'x', version: 1 }), StaleVersionError, 422);
        await rejectsWith(s.organisations.update(randomUUID(), { name: 'x' }), NotFoundError, 404);
      });

      it('an organisation may be created with a chosen id, once', async () => {
        const id = randomUUID();
        const org = await s.organisations.create({ id, name: 'Chosen' });
        assert.equal(org.id, id);
        await rejectsWith(s.organisations.create({ id, name: 'Again' }), ConflictError, 409);
        assert.equal((await s.organisations.findById(id))?.name, 'Chosen');
      });
    });

    describe('portfolio', () => {
      it('a missing field stays unchanged and null clears it', async () => {
        const org = await s.organisations.create({ name: 'o' });
        const p = await s.portfolios.create({ organisationId: org.id, name: 'P', description: 'about' });
        assert.deepEqual(
          { name: p.name, description: p.description, version: p.version, archived: p.whenArchived },
          { name: 'P', description: 'about', version: 1, archived: null },
        );
        target.advance(1000);
        const renamed = await s.portfolios.update(p.id, { name: 'P2' });
        assert.equal(renamed.description, 'about');
        assert.equal(renamed.version, 2);
        assert.ok(renamed.whenUpdated > p.whenUpdated);
        assert.equal(renamed.whenCreated.getTime(), p.whenCreated.getTime());
        const cleared = await s.portfolios.update(p.id, { description: null });
        assert.equal(cleared.description, null);
        assert.equal(cleared.name, 'P2');
      });

      it('a duplicate name in the organisation is a conflict, in another organisation it is fine', async () => {
        const { org } = await portfolio();
        await rejectsWith(
          s.portfolios.create({ organisationId: org.id, name: 'Portfolio' }),
          ConflictError,
          409,
        );
        const other = await s.organisations.create({ name: 'other' });
        await s.portfolios.create({ organisationId: other.id, name: 'Portfolio' });
        const second = await s.portfolios.create({ organisationId: org.id, name: 'Second' });
        await rejectsWith(s.portfolios.update(second.id, { name: 'Portfolio' }), ConflictError, 409);
      });

      it('an edit from an old version is refused with 422', async () => {
        const { portfolio: p } = await portfolio();
        await s.portfolios.update(p.id, { name: 'new', version: 1 });
        await rejectsWith(s.portfolios.update(p.id, { name: 'newer', version: 1 }), StaleVersionError, 422);
        assert.equal((await s.portfolios.findById(p.id))?.name, 'new');
        await rejectsWith(s.portfolios.update(randomUUID(), { name: 'x' }), NotFoundError, 404);
      });

      it('an archived portfolio is hidden and its name can be used again', async () => {
        const { org, portfolio: p } = await portfolio();
        const archived = await s.portfolios.archive(p.id);
        assert.ok(archived.whenArchived instanceof Date);
        assert.equal(archived.name, 'Portfolio');
        assert.equal(await s.portfolios.findById(p.id), undefined);
        assert.equal((await s.portfolios.findById(p.id, { includeArchived: true }))?.id, p.id);
        const again = await s.portfolios.create({ organisationId: org.id, name: 'Portfolio' });
        assert.notEqual(again.id, p.id);
        assert.equal((await s.portfolios.findByName(org.id, 'Portfolio'))?.id, again.id);
        await s.portfolios.archive(again.id);
        await s.portfolios.create({ organisationId: org.id, name: 'Portfolio' });
        await rejectsWith(s.portfolios.archive(p.id), NotFoundError);
        await rejectsWith(s.portfolios.update(p.id, { name: 'y' }), NotFoundError);
      });

      it('lists by name, case-insensitively filtered, without archived ones unless asked', async () => {
        const org = await s.organisations.create({ name: 'o' });
        for (const name of ['beta', 'alpha', 'gamma ALPHA'])
          await s.portfolios.create({ organisationId: org.id, name });
        const gone = await s.portfolios.create({ organisationId: org.id, name: 'alpha gone' });
        await s.portfolios.archive(gone.id);
        const all = await s.portfolios.list({ organisationId: org.id });
        assert.deepEqual(
          all.map((p) => p.name),
          ['alpha', 'beta', 'gamma ALPHA'],
        );
        const found = await s.portfolios.list({ organisationId: org.id, nameContains: 'Alph' });
        assert.deepEqual(
          found.map((p) => p.name),
          ['alpha', 'gamma ALPHA'],
        );
        assert.equal((await s.portfolios.list({ organisationId: org.id, includeArchived: true })).length, 4);
        assert.deepEqual(await s.portfolios.list({ organisationId: org.id, ids: [] }), []);
      });

      it('archiving a portfolio archives its applications, environments, features, groups and service accounts', async () => {
        const { org, portfolio: p, app } = await application();
        const env = await s.environments.create({ applicationId: app.id, name: 'dev' });
        const feature = await s.features.create({
          applicationId: app.id,
          key: 'F',
          name: 'F',
          valueType: 'BOOLEAN',
        });
        const group = await s.groups.create({ organisationId: org.id, portfolioId: p.id, name: 'devs' });
        const sa = await s.serviceAccounts.create({
          portfolioId: p.id,
          name: 'sdk',
          apiKeyServerSide: `srv-${unique()}`,
          apiKeyClientSide: `cli-${unique()}`,
        });
        await s.portfolios.archive(p.id);
        assert.equal(await s.applications.findById(app.id), undefined);
        assert.equal(await s.environments.findById(env.id), undefined);
        assert.equal(await s.features.findById(feature.id), undefined);
        assert.equal(await s.groups.findById(group.id), undefined);
        assert.equal(await s.serviceAccounts.findById(sa.id), undefined);
        assert.equal(await s.serviceAccounts.findByApiKey(sa.apiKeyServerSide), undefined);
      });
    });

    describe('application', () => {
      it('names are unique per portfolio among live applications', async () => {
        const { org, portfolio: p, app } = await application();
        await rejectsWith(s.applications.create({ portfolioId: p.id, name: 'App' }), ConflictError, 409);
        const p2 = await s.portfolios.create({ organisationId: org.id, name: 'P2' });
        await s.applications.create({ portfolioId: p2.id, name: 'App' });
        await s.applications.archive(app.id);
        const again = await s.applications.create({ portfolioId: p.id, name: 'App', description: 'd' });
        assert.equal((await s.applications.findByName(p.id, 'App'))?.id, again.id);
        assert.deepEqual(
          (await s.applications.list({ portfolioId: p.id, includeArchived: true })).map((a) => a.id).sort(),
          [app.id, again.id].sort(),
        );
      });

      it('archiving an application archives its environments, features and strategies and drops its permissions', async () => {
        const { org, portfolio: p, app } = await application();
        const dev = await s.environments.create({ applicationId: app.id, name: 'dev' });
        const prod = await s.environments.create({ applicationId: app.id, name: 'prod' });
        const feature = await s.features.create({
          applicationId: app.id,
          key: 'F',
          name: 'F',
          valueType: 'STRING',
        });
        const strategy = await s.strategies.create({
          applicationId: app.id,
          name: 'beta',
          code: '@abc',
          strategy: {},
        });
        const group = await s.groups.create({ organisationId: org.id, portfolioId: p.id, name: 'devs' });
        await s.groups.setApplicationRoles(group.id, app.id, ['FEATURE_EDIT']);
        await s.groups.setEnvironmentRoles(group.id, dev.id, ['READ']);
        await s.applications.archive(app.id);
        assert.deepEqual(await s.environments.list({ applicationId: app.id }), []);
        for (const id of [dev.id, prod.id]) {
          assert.ok((await s.environments.findById(id, { includeArchived: true }))?.whenArchived);
        }
        assert.equal(await s.features.findById(feature.id), undefined);
        assert.equal(await s.strategies.findById(strategy.id), undefined);
        assert.deepEqual(await s.groups.listApplicationAcls({ groupIds: [group.id] }), []);
        assert.deepEqual(await s.groups.listEnvironmentAcls({ groupIds: [group.id] }), []);
        await rejectsWith(s.applications.archive(app.id), NotFoundError);
      });
    });

    describe('environment', () => {
      it('new environments are appended in promotion order', async () => {
        const { app } = await application();
        const dev = await s.environments.create({ applicationId: app.id, name: 'dev' });
        const test = await s.environments.create({ applicationId: app.id, name: 'test' });
        const prod = await s.environments.create({ applicationId: app.id, name: 'prod', production: true });
        assert.equal(dev.priorEnvironmentId, null);
        assert.equal(test.priorEnvironmentId, dev.id);
        assert.equal(prod.priorEnvironmentId, test.id);
        assert.equal(prod.production, true);
        assert.equal(dev.production, false);
        const list = await s.environments.list({ applicationId: app.id });
        assert.deepEqual(
          list.map((e) => e.name),
          ['dev', 'test', 'prod'],
        );
      });

      it('an environment created after a given one, or first, is linked into the order', async () => {
        const { app } = await application();
        const dev = await s.environments.create({ applicationId: app.id, name: 'dev' });
        await s.environments.create({ applicationId: app.id, name: 'prod' });
        await s.environments.create({ applicationId: app.id, name: 'test', priorEnvironmentId: dev.id });
        await s.environments.create({ applicationId: app.id, name: 'local', priorEnvironmentId: null });
        const list = await s.environments.list({ applicationId: app.id });
        assert.deepEqual(
          list.map((e) => e.name),
          ['local', 'dev', 'test', 'prod'],
        );
        await rejectsWith(
          s.environments.create({ applicationId: app.id, name: 'x', priorEnvironmentId: randomUUID() }),
          NotFoundError,
        );
      });

      it('archiving an environment relinks its successor to its predecessor and frees the name', async () => {
        const { app } = await application();
        const dev = await s.environments.create({ applicationId: app.id, name: 'dev' });
        const test = await s.environments.create({ applicationId: app.id, name: 'test' });
        const prod = await s.environments.create({ applicationId: app.id, name: 'prod' });
        await s.environments.archive(test.id);
        const relinked = await s.environments.findById(prod.id);
        assert.equal(relinked?.priorEnvironmentId, dev.id);
        assert.equal(relinked?.version, prod.version + 1);
        assert.deepEqual(
          (await s.environments.list({ applicationId: app.id })).map((e) => e.name),
          ['dev', 'prod'],
        );
        const again = await s.environments.create({ applicationId: app.id, name: 'test' });
        assert.equal(again.priorEnvironmentId, prod.id);
        await s.environments.archive(dev.id);
        assert.equal((await s.environments.findById(prod.id))?.priorEnvironmentId, null);
        await rejectsWith(s.environments.create({ applicationId: app.id, name: 'prod' }), ConflictError, 409);
      });

      it('archiving an environment removes group and service account permissions on it', async () => {
        const { org, portfolio: p, app } = await application();
        const dev = await s.environments.create({ applicationId: app.id, name: 'dev' });
        const prod = await s.environments.create({ applicationId: app.id, name: 'prod' });
        const group = await s.groups.create({ organisationId: org.id, portfolioId: p.id, name: 'g' });
        await s.groups.setEnvironmentRoles(group.id, dev.id, ['READ', 'CHANGE_VALUE']);
        await s.groups.setEnvironmentRoles(group.id, prod.id, ['READ']);
        const sa = await s.serviceAccounts.create({
          portfolioId: p.id,
          name: 'sa',
          apiKeyServerSide: `s${unique()}`,
          apiKeyClientSide: `c${unique()}`,
        });
        await s.serviceAccounts.setPermissions(sa.id, [
          { environmentId: dev.id, roles: ['READ'] },
          { environmentId: prod.id, roles: ['READ'] },
        ]);
        await s.environments.archive(dev.id);
        assert.deepEqual(
          (await s.groups.listEnvironmentAcls({ groupIds: [group.id] })).map((a) => a.environmentId),
          [prod.id],
        );
        assert.deepEqual(
          (await s.serviceAccounts.listPermissions({ serviceAccountIds: [sa.id] })).map(
            (x) => x.environmentId,
          ),
          [prod.id],
        );
      });

      it('keeps the three info maps and replaces them whole on update', async () => {
        const { app } = await application();
        const env = await s.environments.create({
          applicationId: app.id,
          name: 'dev',
          description: 'desc',
          environmentInfo: { cacheControl: 'max-age=10' },
          webhookEnvironmentInfo: { 'webhook.features.enabled': 'true' },
        });
        assert.deepEqual(env.environmentInfo, { cacheControl: 'max-age=10' });
        assert.deepEqual(env.managementEnvironmentInfo, {});
        assert.deepEqual(env.webhookEnvironmentInfo, { 'webhook.features.enabled': 'true' });
        const unpublished = new Date('2024-05-01T10:00:00.123Z');
        const updated = await s.environments.update(env.id, {
          managementEnvironmentInfo: { 'mgmt.cacheControl': 'no-store' },
          environmentInfo: {},
          whenUnpublished: unpublished,
          version: env.version,
        });
        assert.deepEqual(updated.environmentInfo, {});
        assert.deepEqual(updated.managementEnvironmentInfo, { 'mgmt.cacheControl': 'no-store' });
        assert.deepEqual(updated.webhookEnvironmentInfo, { 'webhook.features.enabled': 'true' });
        assert.equal(updated.whenUnpublished?.toISOString(), unpublished.toISOString());
        assert.equal(updated.description, 'desc');
        await rejectsWith(
          s.environments.update(env.id, { name: 'x', version: env.version }),
          StaleVersionError,
          422,
        );
      });
    });

    describe('feature', () => {
      it('keys are unique per application; an archived key can be reused', async () => {
        const { app } = await application();
        const f = await s.features.create({
          applicationId: app.id,
          key: 'FLAG',
          name: 'Flag',
          valueType: 'BOOLEAN',
          link: 'https://x',
          metaData: '{"a":1}',
        });
        assert.equal(f.secret, false);
        assert.equal(f.metaData, '{"a":1}');
        await rejectsWith(
          s.features.create({ applicationId: app.id, key: 'FLAG', name: 'Other', valueType: 'STRING' }),
          ConflictError,
          409,
        );
        await assert.rejects(
          s.features.create({ applicationId: app.id, key: 'FLAG', name: 'Other', valueType: 'STRING' }),
          { code: 'duplicate_key' },
        );
        const other = await s.features.create({
          applicationId: app.id,
          key: 'OTHER',
          name: 'O',
          valueType: 'JSON',
        });
        await rejectsWith(s.features.update(other.id, { key: 'FLAG' }), ConflictError);
        const archived = await s.features.archive(f.id);
        assert.equal(archived.key, 'FLAG');
        const reused = await s.features.create({
          applicationId: app.id,
          key: 'FLAG',
          name: 'n',
          valueType: 'NUMBER',
        });
        assert.equal((await s.features.findByKey(app.id, 'FLAG'))?.id, reused.id);
        assert.deepEqual(
          (await s.features.list({ applicationId: app.id })).map((x) => x.key),
          ['FLAG', 'OTHER'],
        );
        assert.equal((await s.features.list({ applicationId: app.id, includeArchived: true })).length, 3);
        const updated = await s.features.update(other.id, {
          link: null,
          secret: true,
          version: other.version,
        });
        assert.equal(updated.link, null);
        assert.equal(updated.secret, true);
        assert.equal(updated.name, 'O');
        await rejectsWith(
          s.features.update(other.id, { name: 'z', version: other.version }),
          StaleVersionError,
          422,
        );
      });
    });

    describe('feature value', () => {
      async function valueSetup() {
        const { app } = await application();
        const env = await s.environments.create({ applicationId: app.id, name: 'dev' });
        const feature = await s.features.create({
          applicationId: app.id,
          key: 'F',
          name: 'F',
          valueType: 'STRING',
        });
        const person = await s.persons.create({ email: `${unique()}@example.com`, name: 'Pat' });
        return { app, env, feature, person };
      }

      it('every save bumps the version and records it in the history', async () => {
        const { env, feature, person } = await valueSetup();
        const strategies = [{ id: 'ab12', name: 'beta', value: 'b', attributes: [] }];
        const fv = await s.featureValues.create({
          environmentId: env.id,
          featureId: feature.id,
          value: 'a',
          locked: true,
          rolloutStrategies: strategies,
          whoUpdated: person.id,
        });
        assert.deepEqual(
          {
            value: fv.value,
            locked: fv.locked,
            retired: fv.retired,
            version: fv.version,
            who: fv.whoUpdated,
          },
          { value: 'a', locked: true, retired: false, version: 1, who: person.id },
        );
        assert.deepEqual(fv.rolloutStrategies, strategies);
        target.advance(500);
        const saved = await s.featureValues.update(fv.id, { locked: false, version: 1 });
        assert.equal(saved.version, 2);
        assert.equal(saved.value, 'a');
        assert.deepEqual(saved.rolloutStrategies, strategies);
        const cleared = await s.featureValues.update(fv.id, { value: null, retired: true, version: 2 });
        assert.equal(cleared.value, null);
        assert.equal(cleared.retired, true);

        const history = await s.featureValues.history(fv.id);
        assert.deepEqual(
          history.map((h) => [h.version, h.versionFrom, h.value, h.locked, h.retired]),
          [
            [3, 2, null, false, true],
            [2, 1, 'a', false, false],
            [1, null, 'a', true, false],
          ],
        );
        const v1 = await s.featureValues.findVersion(fv.id, 1);
        assert.deepEqual(v1?.rolloutStrategies, strategies);
        assert.equal(v1?.whoUpdated, person.id);
        assert.equal(v1?.featureId, feature.id);
        assert.equal(await s.featureValues.findVersion(fv.id, 9), undefined);
        assert.deepEqual(
          (await s.featureValues.history(fv.id, { order: 'asc', limit: 2 })).map((h) => h.version),
          [1, 2],
        );
      });

      it('a save from an old version is refused with 409', async () => {
        const { env, feature } = await valueSetup();
        const fv = await s.featureValues.create({ environmentId: env.id, featureId: feature.id, value: 'a' });
        await s.featureValues.update(fv.id, { value: 'b', version: 1 });
        await rejectsWith(s.featureValues.update(fv.id, { value: 'c', version: 1 }), StaleVersionError, 409);
        assert.equal((await s.featureValues.find(env.id, feature.id))?.value, 'b');
        assert.equal((await s.featureValues.history(fv.id)).length, 2);
        await rejectsWith(s.featureValues.update(randomUUID(), { value: 'c', version: 1 }), NotFoundError);
      });

      it('searches the history of many values: filtered, in time order, one page with the total', async () => {
        const { app, env, feature, person } = await valueSetup();
        const other = await s.environments.create({ applicationId: app.id, name: 'other' });
        const hidden = await s.environments.create({ applicationId: app.id, name: 'hidden' });
        const f2 = await s.features.create({
          applicationId: app.id,
          key: 'G',
          name: 'G',
          valueType: 'NUMBER',
        });
        const a = await s.featureValues.create({ environmentId: env.id, featureId: feature.id, value: 'a1' });
        target.advance(10);
        const b = await s.featureValues.create({ environmentId: other.id, featureId: f2.id, value: '1' });
        target.advance(10);
        await s.featureValues.update(a.id, { value: 'a2', version: 1, whoUpdated: person.id });
        target.advance(10);
        await s.featureValues.create({ environmentId: hidden.id, featureId: feature.id, value: 'h' });
        const envIds = [env.id, other.id];
        const all = await s.featureValues.searchHistory({ environmentIds: envIds });
        assert.equal(all.total, 3);
        assert.deepEqual(
          all.rows.map((r) => [r.environmentId, r.featureValueId, r.version, r.value]),
          [
            [env.id, a.id, 1, 'a1'],
            [other.id, b.id, 1, '1'],
            [env.id, a.id, 2, 'a2'],
          ],
        );
        assert.equal(all.rows[2]?.whoUpdated, person.id);
        const page = await s.featureValues.searchHistory({
          environmentIds: envIds,
          order: 'desc',
          offset: 1,
          limit: 1,
        });
        assert.equal(page.total, 3);
        assert.deepEqual(
          page.rows.map((r) => r.value),
          ['1'],
        );
        const one = await s.featureValues.searchHistory({
          environmentIds: envIds,
          featureIds: [feature.id],
          versions: [2],
        });
        assert.deepEqual([one.total, one.rows.map((r) => r.value)], [1, ['a2']]);
        assert.equal((await s.featureValues.searchHistory({ environmentIds: [] })).total, 0);
      });

      it('one value per feature and environment', async () => {
        const { env, feature } = await valueSetup();
        await s.featureValues.create({ environmentId: env.id, featureId: feature.id });
        await rejectsWith(
          s.featureValues.create({ environmentId: env.id, featureId: feature.id }),
          ConflictError,
          409,
        );
      });

      it('keeps application strategies in order, and archiving a strategy detaches it', async () => {
        const { app, env, feature } = await valueSetup();
        const a = await s.strategies.create({
          applicationId: app.id,
          name: 'a',
          code: '@aaa',
          strategy: { p: 1 },
        });
        const b = await s.strategies.create({ applicationId: app.id, name: 'b', code: '@bbb', strategy: {} });
        await rejectsWith(
          s.strategies.create({ applicationId: app.id, name: 'a', code: '@ccc', strategy: {} }),
          ConflictError,
        );
        const fv = await s.featureValues.create({
          environmentId: env.id,
          featureId: feature.id,
          strategyInstances: [
            { strategyId: b.id, value: 'vb', enabled: true },
            { strategyId: a.id, value: null, enabled: false },
          ],
        });
        assert.deepEqual(fv.strategyInstances, [
          { strategyId: b.id, value: 'vb', enabled: true },
          { strategyId: a.id, value: null, enabled: false },
        ]);
        const reordered = await s.featureValues.update(fv.id, {
          strategyInstances: [
            { strategyId: a.id, value: 'va', enabled: true },
            { strategyId: b.id, value: 'vb', enabled: true },
          ],
          version: fv.version,
        });
        assert.deepEqual(
          reordered.strategyInstances.map((i) => i.strategyId),
          [a.id, b.id],
        );
        assert.deepEqual(
          (await s.featureValues.findVersion(fv.id, 1))?.strategyInstances.map((i) => i.strategyId),
          [b.id, a.id],
        );
        await s.strategies.archive(a.id);
        assert.deepEqual(
          (await s.featureValues.findById(fv.id))?.strategyInstances.map((i) => i.strategyId),
          [b.id],
        );
        const c = await s.strategies.create({ applicationId: app.id, name: 'a', code: '@aaa', strategy: {} });
        assert.notEqual(c.id, a.id);
        assert.deepEqual((await s.strategies.findById(b.id))?.strategy, {});
        assert.deepEqual((await s.strategies.findById(a.id, { includeArchived: true }))?.strategy, { p: 1 });
        assert.deepEqual(
          (await s.featureValues.list({ environmentId: env.id })).map((v) => v.id),
          [fv.id],
        );
      });
    });

    describe('person and sessions', () => {
      it('emails are stored lower case and unique, even against deactivated people', async () => {
        const email = `Pat.${unique()}@Example.com`;
        const p = await s.persons.create({
          email,
          name: 'Pat',
          passwordHash: 'h',
          passwordRequiresReset: true,
        });
        assert.equal(p.email, email.toLowerCase());
        assert.equal(p.personType, 'person');
        assert.equal(p.passwordRequiresReset, true);
        assert.equal((await s.persons.findByEmail(email.toUpperCase()))?.id, p.id);
        await rejectsWith(s.persons.create({ email: email.toLowerCase() }), ConflictError, 409);
        await s.persons.archive(p.id);
        assert.equal(await s.persons.findByEmail(email), undefined);
        assert.equal((await s.persons.findByEmail(email, { includeArchived: true }))?.id, p.id);
        await assert.rejects(s.persons.create({ email }), { code: 'duplicate_email' });
        const back = await s.persons.unarchive(p.id);
        assert.equal(back.whenArchived, null);
        await rejectsWith(s.persons.unarchive(p.id), NotFoundError);
      });

      it('keeps registration tokens with their expiry and finds people by them', async () => {
        const token = randomUUID();
        const expiry = new Date('2030-01-02T03:04:05.678Z');
        const p = await s.persons.create({
          email: `${unique()}@x.io`,
          registrationToken: token,
          registrationTokenExpiry: expiry,
          personType: 'serviceAccount',
        });
        const found = await s.persons.findByRegistrationToken(token);
        assert.equal(found?.id, p.id);
        assert.equal(found?.registrationTokenExpiry?.toISOString(), expiry.toISOString());
        assert.equal(found?.personType, 'serviceAccount');
        const done = await s.persons.update(p.id, {
          registrationToken: null,
          registrationTokenExpiry: null,
          passwordHash: 'hash',
          version: p.version,
        });
        assert.equal(done.registrationToken, null);
        assert.equal(done.passwordHash, 'hash');
        assert.equal(await s.persons.findByRegistrationToken(token), undefined);
        await rejectsWith(s.persons.update(p.id, { name: 'n', version: p.version }), StaleVersionError, 422);
      });

      it('deactivating a person ends their sessions and drops their group memberships', async () => {
        const { org } = await portfolio();
        const p = await s.persons.create({ email: `${unique()}@x.io` });
        const group = await s.groups.create({ organisationId: org.id, name: 'org_admin', admin: true });
        await s.groups.addMember(group.id, p.id);
        const token = `tok-${unique()}`;
        await s.sessions.create(token, p.id);
        await s.persons.archive(p.id);
        assert.equal(await s.sessions.findByToken(token), undefined);
        assert.deepEqual(await s.groups.listMemberIds(group.id), []);
        await rejectsWith(s.persons.archive(p.id), NotFoundError);
      });

      it('searches people by name or email, pages them and counts all matches', async () => {
        const tag = unique();
        for (const n of ['Cara', 'Abe', 'Bea']) {
          await s.persons.create({ email: `${n.toLowerCase()}.${tag}@x.io`, name: `${n} ${tag}` });
        }
        await s.persons.create({
          email: `sdk.${tag}@sdk.io`,
          name: `sdk ${tag}`,
          personType: 'sdkServiceAccount',
        });
        const page = await s.persons.list({
          search: tag.toUpperCase(),
          personTypes: ['person'],
          limit: 2,
          offset: 1,
        });
        assert.equal(page.total, 3);
        assert.deepEqual(
          page.persons.map((p) => p.name),
          [`Bea ${tag}`, `Cara ${tag}`],
        );
        const byEmail = await s.persons.list({ search: `abe.${tag}` });
        assert.deepEqual(
          byEmail.persons.map((p) => p.name),
          [`Abe ${tag}`],
        );
        const desc = await s.persons.list({ search: tag, orderBy: 'email', descending: true });
        assert.equal(desc.persons[0]?.name, `sdk ${tag}`);
      });

      it('orders by activation status: active people first, then by name', async () => {
        const tag = unique();
        const ids: Record<string, string> = {};
        for (const n of ['Cy', 'Al', 'Bo']) {
          ids[n] = (
            await s.persons.create({ email: `${n.toLowerCase()}.${tag}@x.io`, name: `${n} ${tag}` })
          ).id;
        }
        await s.persons.archive(ids.Al!);
        const page = await s.persons.list({
          search: tag,
          orderBy: 'activationStatus',
          includeArchived: true,
        });
        assert.deepEqual(
          page.persons.map((p) => p.name),
          [`Bo ${tag}`, `Cy ${tag}`, `Al ${tag}`],
        );
        const desc = await s.persons.list({
          search: tag,
          orderBy: 'activationStatus',
          descending: true,
          includeArchived: true,
        });
        assert.equal(desc.persons[0]?.name, `Al ${tag}`);
      });

      it('sessions are found by token, touched, and ended per token or per person', async () => {
        const p = await s.persons.create({ email: `${unique()}@x.io` });
        const t1 = `a-${unique()}`;
        const t2 = `b-${unique()}`;
        const created = await s.sessions.create(t1, p.id);
        await s.sessions.create(t2, p.id);
        assert.equal((await s.sessions.findByToken(t1))?.personId, p.id);
        assert.equal(await s.sessions.findByToken('nope'), undefined);
        target.advance(60_000);
        assert.equal(await s.sessions.touch(t1), true);
        assert.equal(await s.sessions.touch(t1), true);
        assert.equal(await s.sessions.touch('nope'), false);
        const seen = await s.sessions.lastSeen(p.id);
        assert.equal(seen?.getTime(), created.lastSeen.getTime() + 60_000);
        await s.sessions.delete(t1);
        assert.equal(await s.sessions.findByToken(t1), undefined);
        assert.equal(await s.sessions.deleteForPerson(p.id), 1);
        assert.equal(await s.sessions.lastSeen(p.id), undefined);
      });
    });

    describe('group', () => {
      it('names are unique per portfolio, and per organisation for organisation-level groups', async () => {
        const { org, portfolio: p } = await portfolio();
        const admin = await s.groups.create({ organisationId: org.id, name: 'org_admin', admin: true });
        await rejectsWith(s.groups.create({ organisationId: org.id, name: 'org_admin' }), ConflictError, 409);
        const pAdmin = await s.groups.create({
          organisationId: org.id,
          portfolioId: p.id,
          name: 'Portfolio Administrators',
          admin: true,
        });
        await s.groups.create({ organisationId: org.id, portfolioId: p.id, name: 'org_admin' });
        await rejectsWith(
          s.groups.create({ organisationId: org.id, portfolioId: p.id, name: 'Portfolio Administrators' }),
          ConflictError,
        );
        assert.equal((await s.groups.findAdminGroup(org.id, null))?.id, admin.id);
        assert.equal((await s.groups.findAdminGroup(org.id, p.id))?.id, pAdmin.id);
        assert.equal(pAdmin.admin, true);
        assert.deepEqual((await s.groups.list({ portfolioId: p.id })).map((g) => g.name).sort(), [
          'Portfolio Administrators',
          'org_admin',
        ]);
        assert.deepEqual(
          (await s.groups.list({ organisationId: org.id, portfolioId: null })).map((g) => g.id),
          [admin.id],
        );
        const renamed = await s.groups.update(pAdmin.id, { name: 'New Administrators', version: 1 });
        assert.equal(renamed.version, 2);
        await rejectsWith(s.groups.update(pAdmin.id, { name: 'x', version: 1 }), StaleVersionError, 422);
      });

      it('members and permissions are added, replaced and removed', async () => {
        const { org, portfolio: p, app } = await application();
        const env = await s.environments.create({ applicationId: app.id, name: 'dev' });
        const g = await s.groups.create({ organisationId: org.id, portfolioId: p.id, name: 'devs' });
        const a = await s.persons.create({ email: `${unique()}@x.io` });
        const b = await s.persons.create({ email: `${unique()}@x.io` });
        await s.groups.addMember(g.id, a.id);
        await s.groups.addMember(g.id, a.id);
        await s.groups.addMember(g.id, b.id);
        assert.deepEqual(await s.groups.listMemberIds(g.id), [a.id, b.id].sort());
        assert.deepEqual(await s.groups.listGroupIdsForPerson(a.id), [g.id]);
        await s.groups.removeMember(g.id, a.id);
        assert.deepEqual(await s.groups.listMemberIds(g.id), [b.id]);

        await s.groups.setApplicationRoles(g.id, app.id, ['FEATURE_EDIT', 'APP_STRATEGY_CREATE']);
        await s.groups.setEnvironmentRoles(g.id, env.id, ['READ', 'LOCK']);
        await s.groups.setEnvironmentRoles(g.id, env.id, ['CHANGE_VALUE']);
        assert.deepEqual(await s.groups.listApplicationAcls({ applicationId: app.id }), [
          { groupId: g.id, applicationId: app.id, roles: ['FEATURE_EDIT', 'APP_STRATEGY_CREATE'] },
        ]);
        assert.deepEqual(await s.groups.listEnvironmentAcls({ environmentIds: [env.id] }), [
          { groupId: g.id, environmentId: env.id, roles: ['CHANGE_VALUE'] },
        ]);
        await s.groups.setApplicationRoles(g.id, app.id, []);
        assert.deepEqual(await s.groups.listApplicationAcls({ groupIds: [g.id] }), []);

        await s.groups.archive(g.id);
        assert.deepEqual(await s.groups.listMemberIds(g.id), []);
        assert.deepEqual(await s.groups.listGroupIdsForPerson(b.id), []);
        assert.deepEqual(await s.groups.listEnvironmentAcls({ groupIds: [g.id] }), []);
        await s.groups.create({ organisationId: org.id, portfolioId: p.id, name: 'devs' });
      });
    });

    describe('service account', () => {
      it('is found by either API key until archived, and its name can then be reused', async () => {
        const { portfolio: p } = await portfolio();
        const server = `srv${unique()}`;
        const client = `cli${unique()}*${unique()}`;
        const sdkPerson = await s.persons.create({
          email: `${unique()}@sdk`,
          personType: 'sdkServiceAccount',
        });
        const sa = await s.serviceAccounts.create({
          portfolioId: p.id,
          name: 'sdk',
          description: 'd',
          apiKeyServerSide: server,
          apiKeyClientSide: client,
          sdkPersonId: sdkPerson.id,
        });
        assert.equal((await s.serviceAccounts.findByApiKey(server))?.id, sa.id);
        assert.equal((await s.serviceAccounts.findByApiKey(client))?.id, sa.id);
        assert.equal(sa.sdkPersonId, sdkPerson.id);
        await rejectsWith(
          s.serviceAccounts.create({
            portfolioId: p.id,
            name: 'sdk',
            apiKeyServerSide: 'x1',
            apiKeyClientSide: 'y1',
          }),
          ConflictError,
          409,
        );
        await rejectsWith(
          s.serviceAccounts.create({
            portfolioId: p.id,
            name: 'other',
            apiKeyServerSide: server,
            apiKeyClientSide: 'y2',
          }),
          ConflictError,
        );
        const newServer = `srv${unique()}`;
        const reset = await s.serviceAccounts.update(sa.id, {
          apiKeyServerSide: newServer,
          version: sa.version,
        });
        assert.equal(reset.apiKeyClientSide, client);
        assert.equal(await s.serviceAccounts.findByApiKey(server), undefined);
        assert.equal((await s.serviceAccounts.findByApiKey(newServer))?.id, sa.id);
        await rejectsWith(
          s.serviceAccounts.update(sa.id, { name: 'n', version: sa.version }),
          StaleVersionError,
          422,
        );
        await s.serviceAccounts.archive(sa.id);
        assert.equal(await s.serviceAccounts.findByApiKey(client), undefined);
        const again = await s.serviceAccounts.create({
          portfolioId: p.id,
          name: 'sdk',
          apiKeyServerSide: `srv${unique()}`,
          apiKeyClientSide: `cli${unique()}`,
        });
        assert.deepEqual(
          (await s.serviceAccounts.list({ portfolioId: p.id })).map((x) => x.id),
          [again.id],
        );
      });

      it('permissions are replaced as a whole and empty role lists are dropped', async () => {
        const { portfolio: p, app } = await application();
        const dev = await s.environments.create({ applicationId: app.id, name: 'dev' });
        const prod = await s.environments.create({ applicationId: app.id, name: 'prod' });
        const sa = await s.serviceAccounts.create({
          portfolioId: p.id,
          name: 'sdk',
          apiKeyServerSide: `s${unique()}`,
          apiKeyClientSide: `c${unique()}`,
        });
        await s.serviceAccounts.setPermissions(sa.id, [
          { environmentId: dev.id, roles: ['READ', 'CHANGE_VALUE'] },
          { environmentId: prod.id, roles: ['READ'] },
        ]);
        await s.serviceAccounts.setPermissions(sa.id, [
          { environmentId: dev.id, roles: ['READ'] },
          { environmentId: prod.id, roles: [] },
        ]);
        assert.deepEqual(await s.serviceAccounts.listPermissions({ serviceAccountIds: [sa.id] }), [
          { serviceAccountId: sa.id, environmentId: dev.id, roles: ['READ'] },
        ]);
        assert.deepEqual(await s.serviceAccounts.listPermissions({ environmentIds: [prod.id] }), []);
        assert.equal((await s.serviceAccounts.findById(sa.id))?.version, 3);
        await rejectsWith(s.serviceAccounts.setPermissions(randomUUID(), []), NotFoundError);
      });
    });

    describe('feature filter', () => {
      it('is unique by name in its portfolio, versioned, paged by name, and deleted with its uses', async () => {
        const { portfolio: p, app } = await application();
        const other = (await portfolio()).portfolio;
        const mobile = await s.featureFilters.create({
          portfolioId: p.id,
          name: 'mobile',
          description: 'phones',
        });
        const web = await s.featureFilters.create({ portfolioId: p.id, name: 'Web' });
        await s.featureFilters.create({ portfolioId: other.id, name: 'mobile' });
        await rejectsWith(s.featureFilters.create({ portfolioId: p.id, name: 'mobile' }), ConflictError, 409);
        assert.equal(mobile.version, 1);
        assert.deepEqual(
          (await s.featureFilters.list({ portfolioId: p.id })).map((f) => f.name),
          ['Web', 'mobile'].sort(),
        );
        assert.deepEqual(
          (await s.featureFilters.list({ portfolioId: p.id, nameContains: 'MOB' })).map((f) => f.id),
          [mobile.id],
        );
        assert.equal(await s.featureFilters.count({ portfolioId: p.id }), 2);
        assert.equal((await s.featureFilters.list({ portfolioId: p.id, limit: 1, offset: 1 })).length, 1);

        const renamed = await s.featureFilters.update(mobile.id, { name: 'phones', version: 1 });
        assert.deepEqual([renamed.name, renamed.version, renamed.description], ['phones', 2, 'phones']);
        await rejectsWith(
          s.featureFilters.update(mobile.id, { name: 'x', version: 1 }),
          StaleVersionError,
          409,
        );
        await rejectsWith(
          s.featureFilters.update(web.id, { name: 'phones', version: 1 }),
          ConflictError,
          409,
        );

        const feature = await s.features.create({
          applicationId: app.id,
          key: `F${unique()}`,
          name: 'f',
          valueType: 'BOOLEAN',
        });
        const sa = await s.serviceAccounts.create({
          portfolioId: p.id,
          name: `sa${unique()}`,
          apiKeyServerSide: `srv${unique()}`,
          apiKeyClientSide: `cli${unique()}*x`,
        });
        await s.featureFilters.setFeatureFilters(feature.id, [web.id, mobile.id, web.id]);
        await s.featureFilters.setServiceAccountFilters(sa.id, [mobile.id]);
        assert.deepEqual(
          (await s.featureFilters.filtersOfFeatures([feature.id])).get(feature.id),
          [mobile.id, web.id].sort(),
        );
        assert.deepEqual((await s.featureFilters.filtersOfServiceAccounts([sa.id])).get(sa.id), [mobile.id]);
        assert.deepEqual(
          (await s.featureFilters.featuresWith([mobile.id])).map((u) => u.ownerId),
          [feature.id],
        );
        assert.deepEqual(
          (await s.featureFilters.serviceAccountsWith([mobile.id, web.id])).map((u) => u.ownerId),
          [sa.id],
        );

        await rejectsWith(s.featureFilters.delete(mobile.id, 1), StaleVersionError, 409);
        await s.featureFilters.delete(mobile.id, 2);
        assert.equal(await s.featureFilters.findById(mobile.id), undefined);
        assert.deepEqual((await s.featureFilters.filtersOfFeatures([feature.id])).get(feature.id), [web.id]);
        assert.equal((await s.featureFilters.filtersOfServiceAccounts([sa.id])).get(sa.id), undefined);
        await s.featureFilters.setFeatureFilters(feature.id, []);
        assert.equal((await s.featureFilters.filtersOfFeatures([feature.id])).size, 0);
      });
    });

    describe('user state', () => {
      it('keeps one state per person, type and scope; saving again replaces it and bumps the version', async () => {
        const pat = await s.persons.create({ email: `pat.${unique()}@example.com` });
        const sam = await s.persons.create({ email: `sam.${unique()}@example.com` });
        const appId = randomUUID();
        const key = { personId: pat.id, type: 'HIDDEN_ENVIRONMENTS', scopeId: appId } as const;
        assert.equal(await s.userStates.find(key), undefined);

        const first = await s.userStates.save(key, { environmentIds: ['a', 'b'], noneSelected: false });
        assert.equal(first.version, 1);
        assert.deepEqual(first.data, { environmentIds: ['a', 'b'], noneSelected: false });
        target.advance(1000);
        const second = await s.userStates.save(key, { environmentIds: [], noneSelected: true });
        assert.equal(second.id, first.id);
        assert.equal(second.version, 2);
        assert.equal(second.whenCreated.getTime(), first.whenCreated.getTime());
        assert.equal(second.whenUpdated.getTime(), first.whenUpdated.getTime() + 1000);
        assert.deepEqual((await s.userStates.find(key))?.data, { environmentIds: [], noneSelected: true });

        // another person, or another application, has a state of its own
        assert.equal(await s.userStates.find({ ...key, personId: sam.id }), undefined);
        assert.equal(await s.userStates.find({ ...key, scopeId: randomUUID() }), undefined);
      });

      it('saves of one key at the same time all succeed and leave one state', async () => {
        const pat = await s.persons.create({ email: `pat.${unique()}@example.com` });
        const key = { personId: pat.id, type: 'HIDDEN_ENVIRONMENTS', scopeId: randomUUID() } as const;
        const saved = await Promise.all(
          Array.from({ length: 8 }, (_, i) =>
            s.transaction((tx) => tx.userStates.save(key, { environmentIds: [String(i)] })),
          ),
        );
        assert.equal(new Set(saved.map((st) => st.id)).size, 1);
        assert.equal((await s.userStates.find(key))?.version, 8);
      });

      it('a state saved in a transaction that fails is not kept', async () => {
        const pat = await s.persons.create({ email: `pat.${unique()}@example.com` });
        const key = { personId: pat.id, type: 'HIDDEN_ENVIRONMENTS', scopeId: randomUUID() } as const;
        await s.userStates.save(key, { environmentIds: ['kept'] });
        await assert.rejects(
          s.transaction(async (tx) => {
            await tx.userStates.save(key, { environmentIds: ['lost'] });
            throw new Error('boom');
          }),
          /boom/,
        );
        const found = await s.userStates.find(key);
        assert.deepEqual([found?.data, found?.version], [{ environmentIds: ['kept'] }, 1]);
      });
    });

    describe('feature group', () => {
      async function environmentWithFeatures() {
        const { app } = await application();
        const env = await s.environments.create({ applicationId: app.id, name: 'prod' });
        const a = await s.features.create({
          applicationId: app.id,
          key: 'A',
          name: 'A',
          valueType: 'STRING',
        });
        const b = await s.features.create({
          applicationId: app.id,
          key: 'B',
          name: 'B',
          valueType: 'BOOLEAN',
        });
        return { app, env, a, b };
      }

      it('creates, lists by environment, feature and order, and updates members from the current version', async () => {
        const { app, env, a, b } = await environmentWithFeatures();
        const strategy = { id: 'ab12', name: 'premium', attributes: [] };
        const g1 = await s.featureGroups.create({
          applicationId: app.id,
          environmentId: env.id,
          order: 20,
          name: 'Second',
          strategies: [strategy],
          members: [
            { featureId: b.id, value: 'true' },
            { featureId: a.id, value: 'gold' },
          ],
          whoChanged: null,
        });
        const g2 = await s.featureGroups.create({
          applicationId: app.id,
          environmentId: env.id,
          order: 10,
          name: 'First',
        });
        assert.equal(g1.version, 1);
        assert.deepEqual(g1.strategies, [strategy]);
        assert.deepEqual(
          g1.members,
          [
            { featureId: a.id, value: 'gold' },
            { featureId: b.id, value: 'true' },
          ].sort((x, y) => (x.featureId < y.featureId ? -1 : 1)),
        );
        assert.equal(g2.description, null);
        assert.deepEqual(g2.members, []);
        assert.deepEqual(
          (await s.featureGroups.list({ environmentIds: [env.id] })).map((g) => g.name),
          ['First', 'Second'],
        );
        assert.deepEqual(
          (await s.featureGroups.list({ applicationId: app.id, featureId: a.id })).map((g) => g.id),
          [g1.id],
        );
        assert.equal(await s.featureGroups.highestOrder(env.id), 20);

        const updated = await s.featureGroups.update(g1.id, {
          members: [{ featureId: a.id, value: 'silver' }],
          description: 'd',
          version: 1,
        });
        assert.equal(updated.version, 2);
        assert.deepEqual(updated.members, [{ featureId: a.id, value: 'silver' }]);
        assert.equal(updated.description, 'd');
        await rejectsWith(s.featureGroups.update(g1.id, { name: 'x', version: 1 }), StaleVersionError, 412);
      });

      it('names and orders are unique among the live groups of an environment; archiving frees them', async () => {
        const { app, env, a } = await environmentWithFeatures();
        const other = await s.environments.create({ applicationId: app.id, name: 'dev' });
        const g = await s.featureGroups.create({
          applicationId: app.id,
          environmentId: env.id,
          order: 10,
          name: 'G',
        });
        await rejectsWith(
          s.featureGroups.create({ applicationId: app.id, environmentId: env.id, order: 20, name: 'G' }),
          ConflictError,
          409,
        );
        await rejectsWith(
          s.featureGroups.create({ applicationId: app.id, environmentId: env.id, order: 10, name: 'H' }),
          ConflictError,
          409,
        );
        await s.featureGroups.create({
          applicationId: app.id,
          environmentId: other.id,
          order: 10,
          name: 'G',
        });
        const archived = await s.featureGroups.archive(g.id, null);
        assert.ok(archived.whenArchived);
        assert.equal(await s.featureGroups.findById(g.id), undefined);
        await s.featureGroups.create({
          applicationId: app.id,
          environmentId: env.id,
          order: 10,
          name: 'G',
          members: [{ featureId: a.id, value: null }],
        });
        await rejectsWith(s.featureGroups.archive(g.id), NotFoundError);
      });

      it('members whose feature is archived are not shown; archiving the environment archives its groups', async () => {
        const { app, env, a, b } = await environmentWithFeatures();
        const g = await s.featureGroups.create({
          applicationId: app.id,
          environmentId: env.id,
          order: 10,
          name: 'G',
          members: [
            { featureId: a.id, value: 'x' },
            { featureId: b.id, value: 'true' },
          ],
        });
        await s.features.archive(b.id);
        assert.deepEqual((await s.featureGroups.findById(g.id))?.members, [{ featureId: a.id, value: 'x' }]);
        await s.environments.archive(env.id);
        assert.equal(await s.featureGroups.findById(g.id), undefined);
        assert.deepEqual(await s.featureGroups.list({ applicationId: app.id }), []);
      });
    });

    describe('system config', () => {
      it('creates a key at version -1, updates it from its version, refuses a stale version and a second create', async () => {
        const prefix = `t${unique()}.`;
        const created = await s.systemConfigs.save(`${prefix}b`, '"one"', -1, null);
        assert.deepEqual(created, { key: `${prefix}b`, value: '"one"', version: 1, whoUpdated: null });
        await s.systemConfigs.save(`${prefix}a`, null, -1, null);
        const updated = await s.systemConfigs.save(`${prefix}b`, '"two"', 1, null);
        assert.equal(updated.version, 2);
        assert.equal((await s.systemConfigs.find(`${prefix}b`))?.value, '"two"');
        assert.equal(await s.systemConfigs.find(`${prefix}missing`), undefined);
        await rejectsWith(s.systemConfigs.save(`${prefix}b`, '"three"', 1, null), StaleVersionError, 422);
        await rejectsWith(s.systemConfigs.save(`${prefix}b`, '"again"', -1, null), StaleVersionError, 422);
        assert.equal((await s.systemConfigs.find(`${prefix}b`))?.value, '"two"', 'refusals change nothing');
        assert.deepEqual(
          (await s.systemConfigs.list([prefix])).map((c) => [c.key, c.value, c.version]),
          [
            [`${prefix}a`, null, 1],
            [`${prefix}b`, '"two"', 2],
          ],
        );
        const other = `t${unique()}.`;
        await s.systemConfigs.save(`${other}x`, '1', -1, null);
        assert.deepEqual(
          (await s.systemConfigs.list([prefix, other])).map((c) => c.key),
          [`${prefix}a`, `${prefix}b`, `${other}x`].sort(),
        );
        assert.ok((await s.systemConfigs.list()).length >= 3, 'no prefix lists every key');
      });

      it('remembers who saved a key', async () => {
        const { org } = await portfolio();
        void org;
        const person = await s.persons.create({ email: `cfg-${unique()}@example.com` });
        const key = `t${unique()}.who`;
        await s.systemConfigs.save(key, 'true', -1, person.id);
        assert.equal((await s.systemConfigs.find(key))?.whoUpdated, person.id);
      });
    });

    describe('webhook outbox and results', () => {
      const event = (environmentId: string, n: number, eventType = 'enriched-feature-v1') => ({
        id: randomUUID(),
        environmentId,
        eventType,
        featureKeys: [`F${n}`],
        previous: { [`F${n}`]: null },
        current: {
          [`F${n}`]: { value: n, version: n, locked: false, retired: false, pId: null },
        },
        whoChanged: null,
      });
      async function twoEnvironments() {
        const { app } = await application();
        const a = await s.environments.create({ applicationId: app.id, name: 'a' });
        const b = await s.environments.create({ applicationId: app.id, name: 'b' });
        return [a.id, b.id] as const;
      }
      const mine = <E extends { environmentId: string }>(events: E[], envs: readonly string[]): E[] =>
        events.filter((e) => envs.includes(e.environmentId));

      it("claims only each environment's oldest pending event, in order, once per lease; delivery moves on to the next", async () => {
        const envs = await twoEnvironments();
        const [a, b] = envs;
        const pendingBefore = await s.webhooks.countPending();
        const a1 = event(a, 1);
        const a2 = event(a, 2);
        const b1 = event(b, 3);
        await s.webhooks.enqueue([a1, a2]);
        await s.webhooks.enqueue([b1]);
        assert.equal(await s.webhooks.countPending(), pendingBefore + 3);

        const first = mine(await s.webhooks.claim('w1', 60_000, 100), envs);
        assert.deepEqual(
          first.map((e) => e.id),
          [a1.id, b1.id],
        );
        const claimed = first[0]!;
        assert.deepEqual(
          [
            claimed.featureKeys,
            claimed.previous,
            claimed.current,
            claimed.status,
            claimed.attempts,
            claimed.payload,
          ],
          [a1.featureKeys, a1.previous, a1.current, 'pending', 0, null],
        );
        assert.deepEqual(
          mine(await s.webhooks.claim('w2', 60_000, 100), envs),
          [],
          'leased events are not claimed again',
        );

        await s.webhooks.setPayload(claimed.seq, '{"first":true}');
        await s.webhooks.setPayload(claimed.seq, '{"second":true}');
        await s.webhooks.release(claimed.seq, 'w2', { status: 'delivered', lastStatus: 200 });
        assert.deepEqual(
          mine(await s.webhooks.claim('w2', 60_000, 100), envs),
          [],
          "another owner's release is ignored",
        );

        await s.webhooks.release(claimed.seq, 'w1', { status: 'delivered', lastStatus: 200 });
        await s.webhooks.release(first[1]!.seq, 'w1', { status: 'delivered', lastStatus: 200 });
        const next = mine(await s.webhooks.claim('w3', 60_000, 100), envs);
        assert.deepEqual(
          next.map((e) => e.id),
          [a2.id],
        );
        assert.equal(await s.webhooks.countPending(), pendingBefore + 1);
        await s.webhooks.release(next[0]!.seq, 'w3', { status: 'delivered', lastStatus: 204 });
        assert.equal(await s.webhooks.countPending(), pendingBefore);
      });

      it('the payload is set once and kept across retries; a retry waits for its time; an expired lease is taken over', async () => {
        const envs = await twoEnvironments();
        const pendingBefore = await s.webhooks.countPending();
        const e = event(envs[0], 1);
        await s.webhooks.enqueue([e]);
        const [claimed] = mine(await s.webhooks.claim('w1', 1_000, 100), envs);
        assert.ok(claimed);
        await s.webhooks.setPayload(claimed.seq, '{"first":true}');
        await s.webhooks.setPayload(claimed.seq, '{"second":true}');
        const base = claimed.whenCreated.getTime();
        await s.webhooks.release(claimed.seq, 'w1', {
          status: 'pending',
          nextAttemptAt: new Date(base + 5_000),
          lastStatus: 500,
        });
        assert.deepEqual(
          mine(await s.webhooks.claim('w1', 1_000, 100), envs),
          [],
          'not before its next attempt',
        );
        target.advance(5_001);
        const [retry] = mine(await s.webhooks.claim('w1', 1_000, 100), envs);
        assert.equal(retry?.id, e.id);
        assert.deepEqual([retry.payload, retry.attempts], ['{"first":true}', 1]);
        assert.deepEqual(mine(await s.webhooks.claim('w2', 1_000, 100), envs), [], 'leased');
        target.advance(1_001);
        const [taken] = mine(await s.webhooks.claim('w2', 1_000, 100), envs);
        assert.equal(taken?.id, e.id, 'an expired lease is taken over');
        await s.webhooks.release(retry.seq, 'w1', { status: 'delivered', lastStatus: 200 });
        assert.equal(await s.webhooks.countPending(), pendingBefore + 1, 'the old owner cannot settle it');
        await s.webhooks.release(taken.seq, 'w2', { status: 'delivered', lastStatus: 200 });
        assert.equal(await s.webhooks.countPending(), pendingBefore);
      });

      it('abandons the pending events of one environment and type only', async () => {
        const envs = await twoEnvironments();
        await s.webhooks.enqueue([
          event(envs[0], 1),
          event(envs[0], 2),
          event(envs[0], 3, 'integration/slack-v1'),
        ]);
        await s.webhooks.enqueue([event(envs[1], 4)]);
        assert.equal(await s.webhooks.abandonPending(envs[0], 'enriched-feature-v1'), 2);
        assert.equal(await s.webhooks.abandonPending(envs[0], 'enriched-feature-v1'), 0);
        const left = mine(await s.webhooks.claim('w', 60_000, 100), envs);
        assert.deepEqual(
          left.map((e) => [e.environmentId, e.eventType]).sort(),
          [
            [envs[0], 'integration/slack-v1'],
            [envs[1], 'enriched-feature-v1'],
          ].sort(),
        );
        for (const e of left) await s.webhooks.release(e.seq, 'w', { status: 'abandoned', lastStatus: null });
      });

      it('records results and lists them newest first, paged and by type; finds one by environment and id', async () => {
        const envs = await twoEnvironments();
        const result = (n: number, type: string, env = envs[0]) => ({
          id: randomUUID(),
          environmentId: env,
          whenSent: new Date(Date.UTC(2026, 0, 1, 0, 0, n)),
          status: 200 + n,
          method: 'POST',
          cloudEventType: type,
          url: `http://hooks.test/${n}`,
          outboundHeaders: { 'ce-id': `e${n}` },
          incomingHeaders: { server: 'x' },
          content: `{"n":${n}}`,
          result: 'ok',
          eventId: n % 2 === 0 ? `e${n}` : null,
        });
        const rs = [
          result(1, 'enriched-feature-v1'),
          result(2, 'integration/slack-v1'),
          result(3, 'enriched-feature-v1'),
        ];
        for (const r of rs) await s.webhooks.recordResult(r);
        await s.webhooks.recordResult(result(4, 'enriched-feature-v1', envs[1]));
        const all = await s.webhooks.listResults(envs[0], { max: 10, startAt: 0 });
        assert.equal(all.total, 3);
        assert.deepEqual(
          all.results.map((r) => r.status),
          [203, 202, 201],
        );
        assert.deepEqual(all.results[2], rs[0]);
        const page = await s.webhooks.listResults(envs[0], { max: 1, startAt: 1 });
        assert.deepEqual([page.total, page.results.map((r) => r.status)], [3, [202]]);
        const typed = await s.webhooks.listResults(envs[0], {
          max: 10,
          startAt: 0,
          cloudEventType: 'enriched-feature-v1',
        });
        assert.deepEqual([typed.total, typed.results.map((r) => r.status)], [2, [203, 201]]);
        assert.deepEqual(await s.webhooks.findResult(envs[0], rs[1]!.id), rs[1]);
        assert.equal(
          await s.webhooks.findResult(envs[1], rs[1]!.id),
          undefined,
          'not through another environment',
        );
      });

      it('prunes call history older than a time, the oldest first, at most `limit` at once', async () => {
        const envs = await twoEnvironments();
        const at = (second: number) => new Date(Date.UTC(2020, 0, 1, 0, 0, second));
        // whatever earlier tests recorded (2026) is newer than these; clear anything older than ours
        await s.webhooks.pruneResults(at(0), 1_000_000);
        for (const n of [1, 2, 3]) {
          await s.webhooks.recordResult({
            id: randomUUID(),
            environmentId: envs[n === 3 ? 1 : 0],
            whenSent: at(n),
            status: 200,
            method: 'POST',
            cloudEventType: 'enriched-feature-v1',
            url: 'http://hooks.test/',
            outboundHeaders: {},
            incomingHeaders: {},
            content: '{}',
            result: 'ok',
            eventId: null,
          });
        }
        assert.equal(await s.webhooks.pruneResults(at(1), 100), 0, 'not older than the cut-off');
        assert.equal(await s.webhooks.pruneResults(at(3), 1), 1, 'at most the limit');
        assert.deepEqual(
          (await s.webhooks.listResults(envs[0], { max: 10, startAt: 0 })).results.map((r) => r.whenSent),
          [at(2)],
          'the oldest went first',
        );
        assert.equal(await s.webhooks.pruneResults(at(4), 100), 2, 'across environments');
        assert.equal(await s.webhooks.pruneResults(at(4), 100), 0, 'nothing twice');
      });

      it('prunes delivered events older than a time, the oldest first, at most `limit` at once; pending ones stay', async () => {
        target.advance(1);
        const envs = await twoEnvironments();
        const pendingBefore = await s.webhooks.countPending();
        const [e1, e2, e3] = [event(envs[0], 1), event(envs[0], 2), event(envs[0], 3)];
        await s.webhooks.enqueue([e1, e2, e3]);
        let deliveredAt = 0;
        for (let i = 0; i < 2; i++) {
          const [c] = mine(await s.webhooks.claim('w', 60_000, 100), envs);
          assert.ok(c);
          deliveredAt = c.whenCreated.getTime();
          await s.webhooks.release(c.seq, 'w', { status: 'delivered', lastStatus: 200 });
        }
        // whatever earlier tests delivered is older; clear it so the counts below are ours
        await s.webhooks.pruneDelivered(new Date(deliveredAt), 1_000_000);
        assert.equal(
          await s.webhooks.pruneDelivered(new Date(deliveredAt), 100),
          0,
          'not older than the cut-off',
        );
        assert.equal(await s.webhooks.pruneDelivered(new Date(deliveredAt + 1), 1), 1, 'at most the limit');
        assert.equal(await s.webhooks.pruneDelivered(new Date(deliveredAt + 1), 100), 1);
        assert.equal(await s.webhooks.pruneDelivered(new Date(deliveredAt + 1), 100), 0, 'nothing twice');
        assert.equal(await s.webhooks.countPending(), pendingBefore + 1, 'the pending event stays');
        const [left] = mine(await s.webhooks.claim('w', 60_000, 100), envs);
        assert.equal(left?.id, e3.id);
        await s.webhooks.release(left.seq, 'w', { status: 'abandoned', lastStatus: null });
        target.advance(1);
        assert.equal(
          await s.webhooks.pruneDelivered(new Date(deliveredAt + 10), 100),
          0,
          'abandoned events are not delivered ones',
        );
        await s.webhooks.pruneAbandoned(new Date(deliveredAt), 1_000_000); // earlier tests' abandoned events
        assert.equal(
          await s.webhooks.pruneAbandoned(new Date(deliveredAt), 100),
          0,
          'not older than the cut-off',
        );
        assert.equal(
          await s.webhooks.pruneAbandoned(new Date(deliveredAt + 10), 100),
          1,
          'the abandoned one',
        );
        assert.equal(await s.webhooks.pruneAbandoned(new Date(deliveredAt + 10), 100), 0, 'nothing twice');
        assert.equal(await s.webhooks.countPending(), pendingBefore, 'pending events stay');
      });

      it('an outbox event and a system config saved in a failed transaction are rolled back', async () => {
        const envs = await twoEnvironments();
        const key = `t${unique()}.rollback`;
        const pendingBefore = await s.webhooks.countPending();
        await assert.rejects(
          s.transaction(async (tx) => {
            await tx.webhooks.enqueue([event(envs[0], 1)]);
            await tx.systemConfigs.save(key, '"x"', -1, null);
            throw new Error('boom');
          }),
          /boom/,
        );
        assert.equal(await s.webhooks.countPending(), pendingBefore);
        assert.deepEqual(mine(await s.webhooks.claim('w', 60_000, 100), envs), []);
        assert.equal(await s.systemConfigs.find(key), undefined);
        await s.transaction(async (tx) => {
          await tx.webhooks.enqueue([event(envs[0], 2)]);
          await tx.systemConfigs.save(key, '"kept"', -1, null);
        });
        assert.equal(await s.webhooks.countPending(), pendingBefore + 1);
        assert.equal((await s.systemConfigs.find(key))?.value, '"kept"');
        assert.equal(await s.webhooks.abandonPending(envs[0], 'enriched-feature-v1'), 1);
      });
    });

    describe('transactions', () => {
      it('a use case that throws leaves nothing behind; one that succeeds is committed', async () => {
        const org = await s.organisations.create({ name: 'o' });
        await assert.rejects(
          s.transaction(async (tx) => {
            await tx.portfolios.create({ organisationId: org.id, name: 'rolled back' });
            throw new Error('boom');
          }),
          /boom/,
        );
        assert.equal(await s.portfolios.findByName(org.id, 'rolled back'), undefined);
        const created = await s.transaction(async (tx) => {
          const p = await tx.portfolios.create({ organisationId: org.id, name: 'kept' });
          await tx.groups.create({
            organisationId: org.id,
            portfolioId: p.id,
            name: 'kept Administrators',
            admin: true,
          });
          return p;
        });
        assert.equal((await s.portfolios.findByName(org.id, 'kept'))?.id, created.id);
        assert.ok(await s.groups.findAdminGroup(org.id, created.id));
      });
    });
  });
}
