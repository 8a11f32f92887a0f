import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { allOperations, operation } from '@fh/contracts/admin-api';
import type { OpenApiDocument } from '../../api/openapi-document.ts';
import { validateResponse } from '../../api/response-validator.ts';
import type { MrClient } from '../test-mr.ts';
import { type ContractMr, DIALECTS, runsOn, SSO_PROVIDER, startContractMr } from './contract-world.ts';
import { type InScopeOperationId, type PlannedRequest, send } from './operation-requests.ts';

// A scripted walk through the admin API as a new installation meets it: from POST /initialize to
// portfolios, applications, environments, features, strategies, groups, people, service accounts,
// values, locks and history. Every 2xx body is checked against the OpenAPI document the server
// serves, and the walk must touch every operation in scope.

/** Calls operations by id, checks statuses and response bodies, and remembers what it touched. */
class Walker {
  readonly touched = new Set<string>();
  constructor(private readonly doc: OpenApiDocument) {}

  async call<T = any>(
    client: MrClient,
    operationId: InScopeOperationId,
    planned: PlannedRequest = {},
    expectedStatus?: number,
  ): Promise<T> {
    const res = await send(client, operationId, planned);
    const success = Number(Object.keys(operation(operationId).responses)[0] ?? 200);
    const expected = expectedStatus ?? success;
    assert.equal(
      res.status,
      expected,
      `${operationId}: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`,
    );
    if (res.status < 300) {
      const body = res.status === 204 ? undefined : res.body;
      assert.deepEqual(
        validateResponse(this.doc, operationId, res.status, body),
        [],
        `${operationId} response`,
      );
    } else if (operationId !== 'isInstalled') {
      // (GET /initialize answers 404 with the documented SetupMissingResponse instead)
      assert.equal(
        typeof (res.body as { message?: unknown }).message,
        'string',
        `${operationId}: JSON message`,
      );
    }
    this.touched.add(operationId);
    return res.body as T;
  }
}

const names = (list: { name: string }[]) => list.map((x) => x.name);

for (const dialect of DIALECTS) {
  describe(`a scripted walk over every operation in scope (${dialect})`, await runsOn(dialect), () => {
    let contract: ContractMr;
    let walk: Walker;
    let anon: MrClient;
    let su: MrClient;
    // what the walk builds, step by step
    let orgId: string;
    let portfolioId: string;
    let adminGroupId: string;
    let appId: string;
    const env: Record<'production' | 'staging' | 'dev', string> = { production: '', staging: '', dev: '' };
    let strategyId: string;
    let groupId: string;
    let user: { id: string; email: string; client: MrClient };

    before(async () => {
      contract = await startContractMr(dialect);
      walk = new Walker(contract.doc);
      anon = contract.mr.client;
    });
    after(async () => contract?.mr.close());

    it('sets up the organisation from POST /initialize', async () => {
      const missing = await walk.call(anon, 'isInstalled', {}, 404);
      assert.ok(missing.providers.includes('local'));
      const setup = await walk.call(anon, 'setupSiteAdmin', {
        body: {
          organizationName: 'Walk Org',
          portfolio: 'First',
          name: 'Sue Admin',
          emailAddress: 'sue@example.com',
          password: 'password123',
        },
      });
      su = anon.withToken(setup.accessToken);
      const installed = await walk.call(anon, 'isInstalled');
      orgId = installed.organization.id;
      assert.ok(installed.providers.includes(SSO_PROVIDER), 'the configured sign-in provider is offered');
      const started = await walk.call(anon, 'getLoginUrlForProvider', { params: { provider: SSO_PROVIDER } });
      const idp = new URL(started.redirectUrl);
      assert.equal(idp.pathname, '/auth', "the browser goes to the provider's authorization endpoint");
      assert.equal(idp.searchParams.get('client_id'), 'contract-client');
      assert.equal(idp.searchParams.get('code_challenge_method'), 'S256');
      await walk.call(anon, 'getLoginUrlForProvider', { params: { provider: 'oauth2-unknown' } }, 404);
      await walk.call(
        anon,
        'setupSiteAdmin',
        { body: { organizationName: 'Again', portfolio: 'Again' } },
        409,
      );
      assert.ok((await walk.call(anon, 'getInfoVersion')).version);
      const me = await walk.call(su, 'getPerson', { params: { id: 'self' }, query: { includeGroups: true } });
      assert.equal(me.email, 'sue@example.com');
      assert.equal((await walk.call(su, 'getSuperuserGroup', { params: { id: orgId } })).admin, true);
    });

    it('creates and edits a portfolio', async () => {
      const created = await walk.call(su, 'createPortfolio', {
        body: { name: 'Walk', description: 'walking' },
      });
      portfolioId = created.id;
      assert.ok(names(await walk.call(su, 'findPortfolios', { query: { order: 'ASC' } })).includes('Walk'));
      const got = await walk.call(su, 'getPortfolio', {
        params: { id: portfolioId },
        query: { includeGroups: true },
      });
      adminGroupId = got.groups.find((g: { admin: boolean }) => g.admin).id;
      const updated = await walk.call(su, 'updatePortfolioOnOrganisation', {
        body: { id: portfolioId, name: 'Walk', description: 'still walking', version: got.version },
      });
      const again = await walk.call(su, 'updatePortfolio', {
        params: { id: portfolioId },
        body: { id: portfolioId, name: 'Walk', description: 'walking on', version: updated.version },
      });
      assert.equal(again.description, 'walking on');
    });

    it('creates an application with its production environment and edits it', async () => {
      const created = await walk.call(su, 'createApplication', {
        params: { id: portfolioId },
        query: { includeEnvironments: true },
        body: { name: 'Shop', description: 'the shop' },
      });
      appId = created.id;
      env.production = created.environments[0].id;
      assert.deepEqual(names(await walk.call(su, 'findApplications', { params: { id: portfolioId } })), [
        'Shop',
      ]);
      const got = await walk.call(su, 'getApplication', { params: { appId } });
      const updated = await walk.call(su, 'updateApplicationOnPortfolio', {
        params: { id: portfolioId },
        body: { id: appId, name: 'Shop', description: 'the web shop', version: got.version },
      });
      await walk.call(su, 'updateApplication', {
        params: { appId },
        body: { id: appId, name: 'Shop', description: 'the online shop', version: updated.version },
      });
      await walk.call(su, 'summaryApplication', { params: { appId } });
      await walk.call(su, 'applicationPermissions', { params: { id: appId } });
    });

    it('adds environments in promotion order, reorders and edits them', async () => {
      env.dev = (
        await walk.call(su, 'createEnvironmentOnApplication', {
          params: { id: appId },
          body: { name: 'dev', description: 'development' },
        })
      ).id;
      env.staging = (
        await walk.call(su, 'createEnvironment', {
          params: { id: appId },
          body: { name: 'staging', description: 'test', priorEnvironmentId: env.production },
        })
      ).id;
      const order = async () =>
        names(
          await walk.call(su, 'findEnvironments', { params: { id: appId }, query: { order: 'PRIORITY' } }),
        );
      assert.deepEqual(await order(), ['production', 'staging', 'dev']);
      const envs = await walk.call(su, 'findEnvironments', { params: { id: appId } });
      const byName = (n: string) => envs.find((e: { name: string }) => e.name === n);
      const reordered = await walk.call(su, 'environmentOrdering', {
        params: { id: appId },
        body: [
          { ...byName('dev'), priorEnvironmentId: null },
          { ...byName('staging'), priorEnvironmentId: env.dev },
          { ...byName('production'), priorEnvironmentId: env.staging },
        ],
      });
      assert.equal(reordered.length, 3);
      assert.deepEqual(await order(), ['dev', 'staging', 'production']);

      const staging = await walk.call(su, 'getEnvironment', { params: { eid: env.staging } });
      const v1 = await walk.call(su, 'updateEnvironmentOnApplication', {
        params: { id: appId },
        body: { id: env.staging, version: staging.version, description: 'testing' },
      });
      const v2 = await walk.call(su, 'updateEnvironmentV2', {
        params: { eid: env.staging },
        body: { version: v1.version, environmentInfo: { cacheControl: 'max-age=30' } },
      });
      const v3 = await walk.call(su, 'updateEnvironment', {
        params: { eid: env.staging },
        body: { ...v2, description: 'the test environment' },
      });
      assert.deepEqual([v3.name, v3.description], ['staging', 'the test environment']);
    });

    it('creates features of all four types and edits their definitions', async () => {
      for (const [key, valueType] of [
        ['FLAG', 'BOOLEAN'],
        ['TEXT', 'STRING'],
        ['NUM', 'NUMBER'],
        ['CONF', 'JSON'],
      ]) {
        await walk.call(su, 'createFeaturesForApplication', {
          params: { id: appId },
          body: { key, name: `${key} feature`, valueType },
        });
      }
      const all = await walk.call(su, 'getAllFeaturesForApplication', { params: { id: appId } });
      assert.deepEqual(all.map((f: { key: string }) => f.key).sort(), ['CONF', 'FLAG', 'NUM', 'TEXT']);
      const text = await walk.call(su, 'getFeatureByKey', { params: { id: appId, key: 'TEXT' } });
      const afterEdit = await walk.call(su, 'updateFeatureForApplicationOnFeature', {
        params: { id: appId },
        body: { ...text, description: 'a text' },
      });
      const edited = afterEdit.find((f: { key: string }) => f.key === 'TEXT');
      await walk.call(su, 'updateFeatureForApplication', {
        params: { id: appId, key: 'TEXT' },
        body: { ...edited, link: 'https://example.com/text' },
      });
    });

    it('manages application strategies', async () => {
      const created = await walk.call(
        su,
        'createApplicationStrategy',
        {
          params: { appId },
          body: {
            name: 'Gold customers',
            attributes: [{ conditional: 'EQUALS', fieldName: 'tier', type: 'STRING', values: ['gold'] }],
          },
        },
        201,
      );
      strategyId = created.id;
      const list = await walk.call(su, 'listApplicationStrategies', {
        params: { appId },
        query: { includeUsage: true },
      });
      assert.equal(list.items.length, 1);
      await walk.call(su, 'getApplicationStrategy', { params: { appId, appStrategyId: strategyId } });
      await walk.call(su, 'updateApplicationStrategy', {
        params: { appId, appStrategyId: strategyId },
        body: { percentage: 500000 },
      });
      const checked = await walk.call(su, 'validate', {
        params: { appId },
        body: { customStrategies: [{ name: 'too much', percentage: 2000000 }], sharedStrategies: [] },
      });
      assert.ok(checked.customStategyViolations.length + checked.violations.length > 0);
    });

    it('sets values across environments, with custom and application strategies', async () => {
      const value = (eid: string, key: string) =>
        walk.call(su, 'getFeatureForEnvironment', { params: { eid, key } });
      // a new flag is false and locked everywhere: unlock and switch it on in dev in one go
      const flag = await value(env.dev, 'FLAG');
      assert.deepEqual([flag.valueBoolean, flag.locked], [false, true]);
      await walk.call(su, 'updateFeatureForEnvironment', {
        params: { eid: env.dev, key: 'FLAG' },
        body: { ...flag, locked: false, valueBoolean: true },
      });
      await walk.call(su, 'createFeatureForEnvironment', {
        params: { eid: env.staging, key: 'TEXT' },
        body: { key: 'TEXT', locked: false, valueString: 'hello staging' },
      });
      await walk.call(su, 'updateFeatureForEnvironment', {
        params: { eid: env.dev, key: 'NUM' },
        body: {
          key: 'NUM',
          locked: false,
          valueNumber: 1,
          rolloutStrategies: [
            {
              name: 'beta testers',
              value: 2,
              attributes: [{ conditional: 'EQUALS', fieldName: 'beta', type: 'BOOLEAN', values: [true] }],
            },
          ],
          rolloutStrategyInstances: [{ strategyId, value: 3 }],
        },
      });
      await walk.call(su, 'updateAllFeatureValuesByApplicationForKey', {
        params: { id: appId, key: 'CONF' },
        body: [
          { key: 'CONF', locked: false, valueJson: '{"level":"dev"}', environmentId: env.dev },
          { key: 'CONF', locked: true, valueJson: '{"level":"prod"}', environmentId: env.production },
        ],
      });
      await walk.call(su, 'updateAllFeaturesForEnvironment', {
        params: { eid: env.staging },
        body: [
          { key: 'NUM', locked: false, valueNumber: 10 },
          { key: 'CONF', locked: false, valueJson: '{"level":"staging"}' },
        ],
      });

      const num = await value(env.dev, 'NUM');
      assert.deepEqual([num.valueNumber, num.rolloutStrategies[0].value], [1, 2]);
      assert.equal(num.rolloutStrategyInstances[0].strategyId, strategyId);
      const inStaging = await walk.call(su, 'getFeaturesForEnvironment', {
        params: { eid: env.staging },
        query: { includeFeatures: true },
      });
      assert.deepEqual(
        inStaging.featureValues.map((v: { key: string; value: unknown }) => [v.key, v.value]).sort(),
        [
          ['CONF', '{"level":"staging"}'],
          ['FLAG', false],
          ['NUM', 10],
          ['TEXT', 'hello staging'],
        ],
      );
      const conf = await walk.call(su, 'getAllFeatureValuesByApplicationForKey', {
        params: { id: appId, key: 'CONF' },
      });
      assert.deepEqual(
        conf.map((e: { environment: { name: string }; featureValue: { valueJson: string } }) => [
          e.environment.name,
          e.featureValue.valueJson,
        ]),
        [
          ['dev', '{"level":"dev"}'],
          ['staging', '{"level":"staging"}'],
          ['production', '{"level":"prod"}'],
        ],
      );
      const board = await walk.call(su, 'findAllFeatureAndFeatureValuesForEnvironmentsByApplication', {
        params: { id: appId },
      });
      assert.deepEqual(
        board.environments.map((e: { environmentName: string }) => e.environmentName),
        ['dev', 'staging', 'production'],
      );
      await walk.call(su, 'deleteFeatureForEnvironment', { params: { eid: env.dev, key: 'TEXT' } }, 400);
    });

    it('locks, refuses changes to a locked value, unlocks and retires', async () => {
      const path = { params: { eid: env.staging, key: 'TEXT' } };
      const v1 = await walk.call(su, 'getFeatureForEnvironment', path);
      const locked = await walk.call(su, 'updateFeatureForEnvironment', {
        ...path,
        body: { ...v1, locked: true },
      });
      await walk.call(
        su,
        'updateFeatureForEnvironment',
        { ...path, body: { ...locked, valueString: 'nope' } },
        409,
      );
      const changed = await walk.call(su, 'updateFeatureForEnvironment', {
        ...path,
        body: { ...locked, locked: false, valueString: 'unlocked and changed' },
      });
      const retired = await walk.call(su, 'updateFeatureForEnvironment', {
        ...path,
        body: { ...changed, retired: true },
      });
      assert.deepEqual(
        [retired.value, retired.locked, retired.retired],
        ['unlocked and changed', false, true],
      );
    });

    it('gives a group application and environment roles', async () => {
      const created = await walk.call(su, 'createGroup', {
        params: { id: portfolioId },
        // upstream's schema wants a groupId in each role, before the group exists; it is ignored
        body: {
          name: 'Developers',
          applicationRoles: [{ applicationId: appId, groupId: randomUUID(), roles: ['FEATURE_EDIT'] }],
        },
      });
      groupId = created.id;
      const withEnvRoles = await walk.call(su, 'updateGroupOnPortfolio', {
        params: { id: portfolioId },
        query: { updateEnvironmentGroupRoles: true, includeGroupRoles: true },
        body: {
          ...created,
          environmentRoles: [
            { environmentId: env.dev, groupId, roles: ['READ', 'CHANGE_VALUE'] },
            { environmentId: env.production, groupId, roles: ['READ'] },
          ],
        },
      });
      assert.equal(withEnvRoles.environmentRoles.length, 2);
      const renamed = await walk.call(su, 'updateGroup', {
        params: { gid: groupId },
        body: { id: groupId, name: 'Devs', version: withEnvRoles.version },
      });
      assert.equal(renamed.name, 'Devs');
      const got = await walk.call(su, 'getGroup', {
        params: { gid: groupId },
        query: { includeGroupRoles: true },
      });
      assert.deepEqual(got.applicationRoles[0].roles, ['FEATURE_EDIT']);
      assert.ok(names(await walk.call(su, 'findGroups', { params: { id: portfolioId } })).includes('Devs'));
    });

    it('creates a user who registers, logs in and works within the group roles', async () => {
      const email = 'dev@example.com';
      const registration = await walk.call(su, 'createPerson', {
        body: { email, name: 'Dev', personType: 'person', groupIds: [groupId] },
      });
      const pending = await walk.call(anon, 'personByToken', { params: { token: registration.token } });
      assert.equal(pending.email, email);
      await walk.call(anon, 'registerPerson', {
        body: {
          registrationToken: registration.token,
          email,
          name: 'Dev Eloper',
          password: 'password123',
          confirmPassword: 'password123',
        },
      });
      const login = await walk.call(anon, 'login', { body: { email, password: 'password123' } });
      user = { id: registration.personId, email, client: anon.withToken(login.accessToken) };

      const perms = await walk.call(user.client, 'applicationPermissions', { params: { id: appId } });
      assert.ok(perms.applicationRoles.includes('FEATURE_EDIT'));
      const devText = { params: { eid: env.dev, key: 'TEXT' } };
      await walk.call(user.client, 'createFeatureForEnvironment', {
        ...devText,
        body: { key: 'TEXT', locked: false, valueString: 'by the developer' },
      });
      await walk.call(
        user.client,
        'updateFeatureForEnvironment',
        {
          params: { eid: env.production, key: 'TEXT' },
          body: { key: 'TEXT', locked: false, valueString: 'no' },
        },
        403,
      );
      // the user hides production on their dashboard
      await walk.call(user.client, 'saveHiddenEnvironments', {
        params: { appId },
        body: { noneSelected: false, environmentIds: [env.production] },
      });
      const hidden = await walk.call(user.client, 'getHiddenEnvironments', { params: { appId } });
      assert.deepEqual(hidden.environmentIds, [env.production]);
      const changed = await walk.call(user.client, 'changePassword', {
        params: { id: user.id },
        body: { oldPassword: 'password123', newPassword: 'password456' },
      });
      assert.equal(changed.email, email);
      await walk.call(user.client, 'logout', {}, 204);
      await walk.call(user.client, 'getPerson', { params: { id: 'self' } }, 401);
    });

    it('lets an admin manage people: search, edit, reset a password, renew a registration, memberships', async () => {
      const found = await walk.call(su, 'findPeople', { query: { filter: 'dev@', includeGroups: true } });
      assert.equal(found.people[0].id.id, user.id);
      const person = await walk.call(su, 'getPerson', { params: { id: user.id } });
      await walk.call(su, 'updatePersonV2', {
        params: { id: user.id },
        body: { name: 'Dev O', version: person.version },
      });
      const again = await walk.call(su, 'getPerson', { params: { id: user.id } });
      const updated = await walk.call(su, 'updatePerson', {
        params: { id: user.id },
        body: { ...again, name: 'Dev Oper' },
      });
      assert.equal(updated.name, 'Dev Oper');

      const reset = await walk.call(su, 'resetPassword', {
        params: { id: user.id },
        body: { password: 'temporary1' },
      });
      assert.equal(reset.passwordRequiresReset, true);
      const temp = await walk.call(anon, 'login', { body: { email: user.email, password: 'temporary1' } });
      const replaced = await walk.call(anon.withToken(temp.accessToken), 'replaceTempPassword', {
        params: { id: user.id },
        body: { password: 'password789' },
      });
      user.client = anon.withToken(replaced.accessToken);
      assert.equal((await walk.call(user.client, 'getPerson', { params: { id: 'self' } })).name, 'Dev Oper');

      const other = await walk.call(su, 'createPerson', {
        body: { email: 'late@example.com', name: 'Late', personType: 'person' },
      });
      const renewed = await walk.call(su, 'resetExpiredToken', { params: { email: 'late@example.com' } });
      assert.notEqual(renewed.token, other.token);
      const joined = await walk.call(su, 'addPersonToGroup', {
        params: { gid: groupId, pId: other.personId },
        query: { includeMembers: true },
      });
      assert.ok(joined.members.some((m: { id: { id: string } }) => m.id.id === other.personId));
      const left = await walk.call(su, 'deletePersonFromGroup', {
        params: { gid: groupId, pId: other.personId },
        query: { includeMembers: true },
      });
      assert.ok(!left.members.some((m: { id: { id: string } }) => m.id.id === other.personId));

      // API 1.2.6: several people at once, by id or email; members as anemic people with the superusers named.
      const self = await walk.call(su, 'getPerson', { params: { id: 'self' } });
      const me = { id: self.id.id as string, email: self.email as string };
      const many = await walk.call(su, 'addPersonsToGroup', {
        params: { gid: groupId },
        query: { personId: [other.personId], email: [me.email], includeMembersV2: true },
      });
      const simpleIds = many.simpleMembers.map((m: { id: string }) => m.id);
      assert.ok(simpleIds.includes(other.personId) && simpleIds.includes(me.id));
      assert.ok(many.superMembers.includes(me.id));
      assert.ok(!many.superMembers.includes(other.personId));
      const current = await walk.call(su, 'getGroup', {
        params: { gid: groupId },
        query: { includeMembersV2: true, includeGroupRoles: true },
      });
      const renamedV2 = await walk.call(su, 'updateGroupOnPortfolioV2', {
        params: { id: portfolioId },
        query: { includeMembersV2: true },
        body: { id: groupId, name: `${current.name} v2`, version: current.version },
      });
      assert.equal(renamedV2.name, `${current.name} v2`);
      assert.deepEqual(
        renamedV2.simpleMembers.map((m: { id: string }) => m.id).sort(),
        current.simpleMembers.map((m: { id: string }) => m.id).sort(),
        'members are left alone',
      );
      await walk.call(su, 'deletePersonFromGroup', { params: { gid: groupId, pId: me.id } });
      assert.equal(await walk.call(su, 'deletePerson', { params: { id: other.personId } }), true);
    });

    it('an admin service account acts through its token, which can be replaced', async () => {
      const robot = await walk.call(su, 'createPerson', {
        body: { name: 'deploy bot', personType: 'serviceAccount', groupIds: [adminGroupId] },
      });
      const bot = anon.withToken(robot.token);
      const made = await walk.call(bot, 'createApplication', {
        params: { id: portfolioId },
        body: { name: 'Bot App', description: 'made by the bot' },
      });
      const fresh = await walk.call(su, 'resetSecurityToken', { params: { id: robot.personId } });
      await walk.call(bot, 'getApplication', { params: { appId: made.id } }, 401);
      assert.equal(
        await walk.call(anon.withToken(fresh.token), 'deleteApplication', { params: { appId: made.id } }),
        true,
      );
    });

    it('manages SDK service accounts and their API keys', async () => {
      const created = await walk.call(su, 'createServiceAccountInPortfolio', {
        params: { id: portfolioId },
        query: { includePermissions: true },
        body: {
          name: 'web-sdk',
          description: 'the web shop',
          permissions: [
            { environmentId: env.dev, permissions: ['READ'] },
            { environmentId: env.staging, permissions: ['READ', 'CHANGE_VALUE'] },
          ],
        },
      });
      const found = await walk.call(su, 'searchServiceAccountsInPortfolio', {
        params: { id: portfolioId },
        query: { includeSdkUrls: true, includePermissions: true },
      });
      const urls = found[0].permissions.map((p: { sdkUrlServerEval: string }) => p.sdkUrlServerEval);
      assert.ok(urls.includes(`${env.dev}/${created.apiKeyServerSide}`));
      const got = await walk.call(su, 'getServiceAccount', {
        params: { id: created.id },
        query: { includePermissions: true },
      });
      const updated = await walk.call(su, 'updateServiceAccountOnPortfolio', {
        params: { id: portfolioId },
        query: { includePermissions: true },
        body: {
          ...got,
          permissions: [...got.permissions, { environmentId: env.production, permissions: ['READ'] }],
        },
      });
      assert.equal(updated.permissions.length, 3);
      await walk.call(su, 'updateServiceAccount', {
        params: { id: created.id },
        body: { id: created.id, name: 'web-sdk', description: 'renamed', version: updated.version },
      });
      const reset = await walk.call(su, 'resetApiKey', {
        params: { id: created.id },
        query: { apiKeyType: 'server_eval_only' },
      });
      assert.notEqual(reset.apiKeyServerSide, created.apiKeyServerSide);
      assert.equal(reset.apiKeyClientSide, created.apiKeyClientSide);
      const withAccounts = await walk.call(su, 'getEnvironment', {
        params: { eid: env.dev },
        query: { includeServiceAccounts: true },
      });
      assert.ok(withAccounts.serviceAccountPermission.length > 0);
      assert.equal(await walk.call(su, 'deleteServiceAccount', { params: { id: created.id } }), true);
    });

    it('tags features and SDK service accounts with feature filters (API 1.2.6)', async () => {
      const mobile = await walk.call(su, 'createFeatureFilter', {
        params: { id: portfolioId },
        body: { name: 'mobile', description: 'phones' },
      });
      assert.equal(typeof mobile.whoCreated.email, 'string');
      const web = await walk.call(su, 'createFeatureFilter', {
        params: { id: portfolioId },
        body: { name: 'web' },
      });
      await walk.call(su, 'createFeatureFilter', { params: { id: portfolioId }, body: { name: 'web' } }, 409);
      const text = await walk.call(su, 'getFeatureByKey', { params: { id: appId, key: 'TEXT' } });
      const tagged = await walk.call(su, 'updateFeatureForApplicationOnFeature', {
        params: { id: appId },
        query: { returnAllFeatures: false },
        body: { ...text, featureFilter: [mobile.id] },
      });
      assert.deepEqual(tagged[0].featureFilter, [mobile.id]);
      const sa = await walk.call(su, 'createServiceAccountInPortfolio', {
        params: { id: portfolioId },
        body: { name: 'phone-sdk', featureFilter: [mobile.id, web.id] },
      });
      assert.deepEqual(sa.featureFilters, [mobile.id, web.id].sort());
      const renamed = await walk.call(su, 'updateFeatureFilter', {
        params: { id: portfolioId },
        body: { ...mobile, name: 'phones' },
      });
      assert.equal(renamed.version, mobile.version + 1);
      await walk.call(su, 'getFeatureFilter', { params: { id: portfolioId, filterId: mobile.id } });
      const found = await walk.call(su, 'findFeatureFilters', {
        params: { id: portfolioId },
        query: { includeDetails: true, sortOrder: 'ASC' },
      });
      assert.equal(found.max, 2);
      const phones = found.filters.find((f: { name: string }) => f.name === 'phones');
      assert.deepEqual(phones.serviceAccounts, [{ id: sa.id, name: 'phone-sdk' }]);
      assert.deepEqual(phones.applications[0].features, [{ id: text.id, key: 'TEXT' }]);
      const matching = await walk.call(su, 'getMatchingFilters', {
        params: { id: portfolioId, matchType: 'applications' },
        query: { filters: [mobile.id, web.id] },
      });
      assert.deepEqual(
        matching.matchingResults.map((r: { id: string }) => r.id),
        [appId],
      );
      const board = await walk.call(su, 'findAllFeatureAndFeatureValuesForEnvironmentsByApplication', {
        params: { id: appId },
        query: { featureFilter: [mobile.id] },
      });
      assert.deepEqual(
        board.features.map((f: { key: string; featureFilter: string[] }) => [f.key, f.featureFilter]),
        [['TEXT', [mobile.id]]],
      );
      await walk.call(
        su,
        'deleteFeatureFilter',
        { params: { id: portfolioId, filterId: web.id }, query: { version: web.version + 5 } },
        409,
      );
      await walk.call(su, 'deleteFeatureFilter', {
        params: { id: portfolioId, filterId: web.id },
        query: { version: web.version },
      });
      const account = await walk.call(su, 'getServiceAccount', { params: { id: sa.id } });
      assert.deepEqual(account.featureFilters, [mobile.id]);
    });

    it('keeps the history of every value change', async () => {
      const history = await walk.call(su, 'listFeatureHistory', {
        params: { appId },
        query: { featureKeys: ['TEXT'], environmentIds: [env.staging] },
      });
      const versions = history.items[0].history;
      assert.deepEqual(
        versions.map((h: { locked: boolean; retired: boolean }) => [h.locked, h.retired]),
        [
          [false, false],
          [true, false],
          [false, false],
          [false, true],
        ],
      );
    });

    it('manages feature groups: members with their own values, one strategy, shown on the values', async () => {
      const candidates = await walk.call(su, 'getFeatureGroupFeatures', {
        params: { appId, envId: env.staging },
      });
      const idOf = (key: string) => candidates.find((c: { key: string }) => c.key === key).id;
      const created = await walk.call(
        su,
        'createFeatureGroup',
        {
          params: { appId },
          body: {
            name: 'Gold tier',
            description: 'gold customers',
            environmentId: env.staging,
            features: [{ id: idOf('TEXT'), value: 'gold text' }],
            strategies: [
              {
                name: 'gold',
                attributes: [{ conditional: 'EQUALS', fieldName: 'tier', type: 'STRING', values: ['gold'] }],
              },
            ],
          },
        },
        201,
      );
      assert.deepEqual(created.features, [{ key: 'TEXT' }]);
      const list = await walk.call(su, 'listFeatureGroups', {
        params: { appId },
        query: { environmentId: env.staging },
      });
      assert.deepEqual(names(list.featureGroups), ['Gold tier']);
      const got = await walk.call(su, 'getFeatureGroup', { params: { appId, fgId: created.id } });
      const updated = await walk.call(su, 'updateFeatureGroup', {
        params: { appId },
        body: { id: got.id, version: got.version, features: [{ id: idOf('TEXT'), value: 'golden' }] },
      });
      assert.equal(updated.features[0].value, 'golden');
      const text = await walk.call(su, 'getFeatureForEnvironment', {
        params: { eid: env.staging, key: 'TEXT' },
      });
      assert.deepEqual(text.featureGroupStrategies, [
        { name: 'Gold tier', value: 'golden', featureGroupId: got.id },
      ]);
      await walk.call(su, 'deleteFeatureGroup', { params: { appId, fgId: got.id } }, 204);
    });

    it('configures Slack and a webhook, pings it and reads the delivery history', async () => {
      const types = await walk.call(anon, 'getWebhookTypes');
      assert.ok(types.types.some((t: { messageType: string }) => t.messageType === 'enriched-feature-v1'));
      const slack = await walk.call(su, 'getSystemConfig', { query: { filters: ['slack.'] } });
      assert.ok(slack.configs.some((c: { key: string }) => c.key === 'slack.bearerToken'));
      const saved = await walk.call(su, 'createOrUpdateSystemConfigs', {
        body: { configs: [{ key: 'slack.bearerToken', version: -1, value: 'xoxb-walk' }] },
      });
      assert.equal(saved.configs[0].value, 'ENCRYPTED-TEXT');
      const clear = await walk.call(su, 'decryptSystemConfig', { params: { key: 'slack.bearerToken' } });
      assert.equal(clear.result, 'xoxb-walk');
      await walk.call(
        su,
        'testWebhook',
        {
          body: {
            messageType: 'enriched-feature-v1',
            envId: env.dev,
            config: { 'webhook.features.endpoint': 'http://127.0.0.1:9/closed' },
          },
        },
        204,
      );
      const history = await walk.call(su, 'listWebhooks', { params: { envId: env.dev } });
      assert.equal(history.results.length, 1);
      const detail = await walk.call(su, 'getWebhookDetails', {
        params: { envId: env.dev, id: history.results[0].id },
      });
      assert.equal(detail.status, 0, 'nobody listens on port 9');
      assert.equal(detail.url, 'http://127.0.0.1:9/closed');
    });

    it('removes what it made: strategy, feature, environment, group, portfolio', async () => {
      await walk.call(su, 'deleteApplicationStrategy', { params: { appId, appStrategyId: strategyId } }, 204);
      const num = await walk.call(su, 'getFeatureForEnvironment', { params: { eid: env.dev, key: 'NUM' } });
      assert.deepEqual(num.rolloutStrategyInstances, []);
      const left = await walk.call(su, 'deleteFeatureForApplication', { params: { id: appId, key: 'CONF' } });
      assert.ok(!left.some((f: { key: string }) => f.key === 'CONF'));
      assert.equal(await walk.call(su, 'deleteEnvironment', { params: { eid: env.staging } }), true);
      assert.equal(await walk.call(su, 'deleteGroup', { params: { gid: groupId } }), true);
      const spare = await walk.call(su, 'createPortfolio', { body: { name: 'Spare', description: '' } });
      assert.equal(await walk.call(su, 'deletePortfolio', { params: { id: spare.id } }), true);
    });

    it('has touched every operation in scope', () => {
      const missing = allOperations()
        .filter((o) => o.inScope && !walk.touched.has(o.operationId))
        .map((o) => o.operationId);
      if (missing.length > 0)
        process.stderr.write(`operations the walk did not touch: ${missing.join(', ')}\n`);
      assert.deepEqual(missing, []);
    });
  });
}
