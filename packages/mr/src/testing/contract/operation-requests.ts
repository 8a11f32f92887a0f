// One valid request per in-scope operation of the admin API, aimed at the contract-test World. The
// permission matrix sends them as each role; the bad-input test breaks them one part at a time. The
// table is typed over the operation table, so an operation newly put in scope fails to compile until
// it has an entry here.
import { type MrOperations, type OperationId, operation } from '@fh/contracts/admin-api';
import type { ApiResponse, MrClient } from '../test-mr.ts';
import { ok, PASSWORD, SSO_PROVIDER, type World } from './contract-world.ts';

export type InScopeOperationId = {
  [K in OperationId]: MrOperations[K]['inScope'] extends true ? K : never;
}[OperationId];

type QueryValue = string | number | boolean | readonly string[];

/** A request for one operation: path parameters by name, query parameters and the JSON body. */
export interface PlannedRequest {
  params?: Record<string, string>;
  query?: Record<string, QueryValue>;
  body?: unknown;
}

/** The URL of an operation (for MrClient: `//` = from the server root), path parameters encoded. */
export function urlOf(operationId: OperationId, planned: PlannedRequest): string {
  const spec = operation(operationId);
  const path = spec.path.replace(/:([A-Za-z]+)/g, (_m, name: string) => {
    const value = planned.params?.[name];
    if (value === undefined) throw new Error(`${operationId}: no value for path parameter ${name}`);
    return encodeURIComponent(value);
  });
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(planned.query ?? {})) {
    if (Array.isArray(value)) for (const v of value) search.append(key, v);
    else search.append(key, String(value));
  }
  const qs = search.toString();
  return `/${path}${qs ? `?${qs}` : ''}`;
}

/** Path parameter names of an operation, in path order. */
export function pathParamsOf(operationId: OperationId): string[] {
  return [...operation(operationId).path.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1]!);
}

export function send(
  client: MrClient,
  operationId: OperationId,
  planned: PlannedRequest,
  options: { headers?: Record<string, string>; rawBody?: string } = {},
): Promise<ApiResponse> {
  const spec = operation(operationId);
  return client.request(spec.method, urlOf(operationId, planned), planned.body, options);
}

const get = (w: World, path: string): Promise<any> => ok(`GET ${path}`, w.su.get(path));

const currentPortfolio = (w: World) => get(w, `/portfolio/${w.portfolioId}`);
const currentApplication = (w: World) => get(w, `/application/${w.appId}`);
const currentEnvironment = (w: World) => get(w, `/environment/${w.devEnvId}`);
const currentGroup = (w: World) => get(w, `/group/${w.groupId}`);
const currentFeature = (w: World) => get(w, `/application/${w.appId}/features/${w.textKey}`);
const currentValue = (w: World, key = w.textKey) => get(w, `/features/${w.devEnvId}/feature/${key}`);
/**
 * A STRING feature with an unlocked value in dev, for one value change: requests planned together
 * all start from its version 1, so none is a no-op or a conflict because of another.
 */
const valueOfItsOwn = (w: World) => w.fresh.feature('STRING', { valueString: 'initial', locked: false });
const currentServiceAccount = (w: World) => get(w, `/service-account/${w.serviceAccountId}`);
const currentPerson = (w: World, id: string) => get(w, `/person/${id}`);

/** A new feature filter in P, for one request that changes or deletes it. */
const freshFilter = (w: World): Promise<any> =>
  ok(
    'createFeatureFilter',
    w.su.post(`/portfolio/${w.portfolioId}/feature-filter`, {
      name: w.unique('filter'),
      description: 'made',
    }),
  );

const TIER_IS_GOLD = { conditional: 'EQUALS', fieldName: 'tier', type: 'STRING', values: ['gold'] };

/** A feature group in dev with one member (a STRING feature of its own, unlocked) and a strategy. */
const featureGroupBody = async (w: World) => {
  const feature = await get(w, `/application/${w.appId}/features/${await valueOfItsOwn(w)}`);
  return {
    name: w.unique('feature group'),
    description: 'for the gold tier',
    environmentId: w.devEnvId,
    features: [{ id: feature.id, value: 'gold' }],
    strategies: [{ name: 'gold tier', attributes: [TIER_IS_GOLD] }],
  };
};
const freshFeatureGroup = async (w: World) =>
  get(
    w,
    `/application/${w.appId}/feature-groups/${
      (
        await ok(
          'createFeatureGroup',
          w.su.post(`/application/${w.appId}/feature-groups`, await featureGroupBody(w)),
        )
      ).id
    }`,
  );

/** A valid request per in-scope operation. Each call plans afresh (current versions, fresh targets). */
export const validRequests: Record<InScopeOperationId, (w: World) => Promise<PlannedRequest>> = {
  // ---- portfolios ----
  findPortfolios: async () => ({ query: { includeApplications: true } }),
  createPortfolio: async (w) => ({ body: { name: w.unique('portfolio'), description: 'made' } }),
  updatePortfolioOnOrganisation: async (w) => {
    const p = await currentPortfolio(w);
    return { body: { id: p.id, name: p.name, description: w.unique('desc'), version: p.version } };
  },
  getPortfolio: async (w) => ({ params: { id: w.portfolioId }, query: { includeGroups: true } }),
  updatePortfolio: async (w) => {
    const p = await currentPortfolio(w);
    return {
      params: { id: w.portfolioId },
      body: { id: p.id, name: p.name, description: w.unique('desc'), version: p.version },
    };
  },
  deletePortfolio: async (w) => ({ params: { id: await w.fresh.portfolio() } }),

  // ---- applications ----
  findApplications: async (w) => ({ params: { id: w.portfolioId }, query: { includeEnvironments: true } }),
  createApplication: async (w) => ({
    params: { id: w.portfolioId },
    body: { name: w.unique('app'), description: 'made' },
  }),
  updateApplicationOnPortfolio: async (w) => {
    const a = await currentApplication(w);
    return {
      params: { id: w.portfolioId },
      body: { id: a.id, name: a.name, description: w.unique('desc'), version: a.version },
    };
  },
  getApplication: async (w) => ({ params: { appId: w.appId }, query: { includeEnvironments: true } }),
  updateApplication: async (w) => {
    const a = await currentApplication(w);
    return {
      params: { appId: w.appId },
      body: { id: a.id, name: a.name, description: w.unique('desc'), version: a.version },
    };
  },
  deleteApplication: async (w) => ({ params: { appId: await w.fresh.application() } }),
  summaryApplication: async (w) => ({ params: { appId: w.appId } }),
  applicationPermissions: async (w) => ({ params: { id: w.appId } }),

  // ---- environments ----
  findEnvironments: async (w) => ({ params: { id: w.appId }, query: { order: 'PRIORITY' } }),
  createEnvironmentOnApplication: async (w) => ({
    params: { id: w.appId },
    body: { name: w.unique('env'), description: 'made', environmentInfo: { cacheControl: 'max-age=10' } },
  }),
  createEnvironment: async (w) => ({
    params: { id: w.appId },
    body: { name: w.unique('env'), description: 'made' },
  }),
  updateEnvironmentOnApplication: async (w) => {
    const e = await currentEnvironment(w);
    return {
      params: { id: w.appId },
      body: { id: e.id, version: e.version, description: w.unique('desc') },
    };
  },
  environmentOrdering: async (w) => {
    const envs = await get(w, `/application/${w.appId}/environment?order=PRIORITY`);
    return {
      params: { id: w.appId },
      body: envs.map((e: { id: string; name: string; version: number; priorEnvironmentId?: string }) => ({
        id: e.id,
        name: e.name,
        version: e.version,
        priorEnvironmentId: e.priorEnvironmentId ?? null,
      })),
    };
  },
  getEnvironment: async (w) => ({ params: { eid: w.devEnvId }, query: { includeServiceAccounts: true } }),
  updateEnvironment: async (w) => {
    const e = await currentEnvironment(w);
    return {
      params: { eid: w.devEnvId },
      body: { id: e.id, name: e.name, version: e.version, description: w.unique('desc') },
    };
  },
  updateEnvironmentV2: async (w) => {
    const e = await currentEnvironment(w);
    return { params: { eid: w.devEnvId }, body: { version: e.version, description: w.unique('desc') } };
  },
  deleteEnvironment: async (w) => ({ params: { eid: await w.fresh.environment() } }),

  // ---- groups ----
  getSuperuserGroup: async (w) => ({ params: { id: w.organisationId } }),
  findGroups: async (w) => ({ params: { id: w.portfolioId }, query: { includePeople: true } }),
  createGroup: async (w) => ({ params: { id: w.portfolioId }, body: { name: w.unique('group') } }),
  updateGroupOnPortfolio: async (w) => {
    const g = await currentGroup(w);
    return {
      params: { id: w.portfolioId },
      query: { updateApplicationGroupRoles: true },
      body: {
        id: g.id,
        name: g.name,
        version: g.version,
        applicationRoles: [{ applicationId: w.appId, groupId: g.id, roles: ['FEATURE_EDIT'] }],
      },
    };
  },
  getGroup: async (w) => ({ params: { gid: w.groupId }, query: { includeMembers: true } }),
  updateGroup: async (w) => {
    const g = await currentGroup(w);
    return {
      params: { gid: w.groupId },
      query: { updateEnvironmentGroupRoles: true },
      body: {
        id: g.id,
        name: g.name,
        version: g.version,
        environmentRoles: [{ environmentId: w.devEnvId, groupId: g.id, roles: ['READ'] }],
      },
    };
  },
  deleteGroup: async (w) => ({ params: { gid: await w.fresh.group() } }),
  addPersonToGroup: async (w) => ({ params: { gid: w.groupId, pId: (await w.fresh.person()).id } }),
  // API 1.2.6
  updateGroupOnPortfolioV2: async (w) => {
    const g = await currentGroup(w);
    return {
      params: { id: w.portfolioId },
      query: { updateApplicationGroupRoles: true, includeMembersV2: true },
      body: {
        id: g.id,
        name: g.name,
        version: g.version,
        applicationRoles: [{ applicationId: w.appId, groupId: g.id, roles: ['FEATURE_EDIT'] }],
      },
    };
  },
  addPersonsToGroup: async (w) => ({
    params: { gid: w.groupId },
    query: {
      personId: [(await w.fresh.person()).id, (await w.fresh.person()).id],
      email: [(await w.fresh.person()).email],
      includeMembersV2: true,
    },
  }),
  deletePersonFromGroup: async (w) => ({ params: { gid: w.groupId, pId: (await w.fresh.groupMember()).id } }),

  // ---- people ----
  findPeople: async () => ({ query: { includeGroups: true, pageSize: 5 } }),
  createPerson: async (w) => ({
    body: { email: `${w.unique('new')}@example.com`, name: 'New Person', personType: 'person', groupIds: [] },
  }),
  resetSecurityToken: async (w) => ({ params: { id: await w.fresh.adminServiceAccount() } }),
  updatePersonV2: async (w) => {
    const victim = await w.fresh.person();
    const p = await currentPerson(w, victim.id);
    return { params: { id: victim.id }, body: { name: 'Renamed', version: p.version } };
  },
  getPerson: async (w) => ({ params: { id: w.superuserId }, query: { includeGroups: true } }),
  updatePerson: async (w) => {
    const victim = await w.fresh.person();
    const p = await currentPerson(w, victim.id);
    return {
      params: { id: victim.id },
      body: { id: { id: victim.id }, name: 'Renamed', email: p.email, version: p.version },
    };
  },
  deletePerson: async (w) => ({ params: { id: (await w.fresh.person()).id } }),

  // ---- authentication ----
  registerPerson: async (w) => {
    const victim = await w.fresh.person({ registered: false });
    return {
      body: {
        registrationToken: victim.registrationToken,
        email: victim.email,
        name: 'Registered',
        password: PASSWORD,
        confirmPassword: PASSWORD,
      },
    };
  },
  login: async (w) => {
    const victim = await w.fresh.person();
    return { body: { email: victim.email, password: PASSWORD } };
  },
  logout: async () => ({}),
  getLoginUrlForProvider: async () => ({ params: { provider: SSO_PROVIDER } }),
  replaceTempPassword: async (w) => {
    const victim = await w.fresh.person({ requiresReset: true });
    return { params: { id: victim.id }, body: { password: 'a new password' } };
  },
  resetExpiredToken: async (w) => ({
    params: { email: (await w.fresh.person({ registered: false })).email },
  }),
  changePassword: async (w) => ({
    params: { id: (await w.fresh.person()).id },
    body: { oldPassword: PASSWORD, newPassword: 'a new password' },
  }),
  personByToken: async (w) => ({
    params: { token: (await w.fresh.person({ registered: false })).registrationToken! },
  }),
  resetPassword: async (w) => ({
    params: { id: (await w.fresh.person()).id },
    body: { password: 'a temporary password', reactivate: false },
  }),

  // ---- features ----
  getAllFeaturesForApplication: async (w) => ({ params: { id: w.appId }, query: { includeMetaData: true } }),
  createFeaturesForApplication: async (w) => ({
    params: { id: w.appId },
    body: { key: w.unique('K').replaceAll('-', '_'), name: 'made', valueType: 'STRING', description: 'd' },
  }),
  updateFeatureForApplicationOnFeature: async (w) => {
    const f = await currentFeature(w);
    return { params: { id: w.appId }, body: { ...f, description: w.unique('desc') } };
  },
  getFeatureByKey: async (w) => ({ params: { id: w.appId, key: w.textKey } }),
  updateFeatureForApplication: async (w) => {
    const f = await currentFeature(w);
    return { params: { id: w.appId, key: w.textKey }, body: { ...f, description: w.unique('desc') } };
  },
  deleteFeatureForApplication: async (w) => ({ params: { id: w.appId, key: await w.fresh.feature() } }),

  // ---- feature values ----
  getAllFeatureValuesByApplicationForKey: async (w) => ({ params: { id: w.appId, key: w.textKey } }),
  updateAllFeatureValuesByApplicationForKey: async (w) => {
    const key = await valueOfItsOwn(w);
    const v = await currentValue(w, key);
    return {
      params: { id: w.appId, key },
      body: [{ ...v, environmentId: w.devEnvId, valueString: w.unique('value') }],
    };
  },
  findAllFeatureAndFeatureValuesForEnvironmentsByApplication: async (w) => ({
    params: { id: w.appId },
    query: { max: 10, page: 0 },
  }),
  getFeaturesForEnvironment: async (w) => ({ params: { eid: w.devEnvId }, query: { includeFeatures: true } }),
  updateAllFeaturesForEnvironment: async (w) => {
    const v = await currentValue(w, await valueOfItsOwn(w));
    return { params: { eid: w.devEnvId }, body: [{ ...v, valueString: w.unique('value') }] };
  },
  getFeatureForEnvironment: async (w) => ({ params: { eid: w.devEnvId, key: w.textKey } }),
  updateFeatureForEnvironment: async (w) => {
    const key = await valueOfItsOwn(w);
    const v = await currentValue(w, key);
    return {
      params: { eid: w.devEnvId, key },
      body: {
        ...v,
        valueString: w.unique('value'),
        rolloutStrategies: [{ name: 'gold', value: 'for gold', attributes: [TIER_IS_GOLD] }],
        rolloutStrategyInstances: [{ strategyId: w.strategyId, value: 'shared' }],
      },
    };
  },
  createFeatureForEnvironment: async (w) => {
    const key = await w.fresh.feature();
    return { params: { eid: w.devEnvId, key }, body: { key, locked: false, valueString: 'first' } };
  },
  deleteFeatureForEnvironment: async (w) => ({ params: { eid: w.devEnvId, key: w.textKey } }),
  listFeatureHistory: async (w) => ({
    params: { appId: w.appId },
    query: { featureKeys: [w.textKey], max: 5 },
  }),

  // ---- SDK service accounts ----
  searchServiceAccountsInPortfolio: async (w) => ({
    params: { id: w.portfolioId },
    query: { includePermissions: true, includeSdkUrls: true },
  }),
  createServiceAccountInPortfolio: async (w) => ({
    params: { id: w.portfolioId },
    body: {
      name: w.unique('sa'),
      description: 'made',
      permissions: [{ environmentId: w.devEnvId, permissions: ['READ'] }],
    },
  }),
  updateServiceAccountOnPortfolio: async (w) => {
    const sa = await currentServiceAccount(w);
    return {
      params: { id: w.portfolioId },
      body: { id: sa.id, name: sa.name, version: sa.version, description: w.unique('desc') },
    };
  },
  getServiceAccount: async (w) => ({
    params: { id: w.serviceAccountId },
    query: { includePermissions: true },
  }),
  updateServiceAccount: async (w) => {
    const sa = await currentServiceAccount(w);
    return {
      params: { id: w.serviceAccountId },
      body: { id: sa.id, name: sa.name, version: sa.version, description: w.unique('desc') },
    };
  },
  deleteServiceAccount: async (w) => ({ params: { id: await w.fresh.serviceAccount() } }),
  resetApiKey: async (w) => ({
    params: { id: w.serviceAccountId },
    query: { apiKeyType: 'server_eval_only' },
  }),

  // ---- setup and info ----
  isInstalled: async () => ({}),
  setupSiteAdmin: async (w) => ({
    body: {
      organizationName: 'Again',
      portfolio: 'Again',
      name: 'Second',
      emailAddress: `${w.unique('again')}@example.com`,
      password: PASSWORD,
    },
  }),
  getInfoVersion: async () => ({}),

  // ---- application strategies ----
  listApplicationStrategies: async (w) => ({ params: { appId: w.appId }, query: { includeUsage: true } }),
  createApplicationStrategy: async (w) => ({
    params: { appId: w.appId },
    body: {
      name: w.unique('strategy'),
      percentage: 20000,
      attributes: [TIER_IS_GOLD],
    },
  }),
  validate: async (w) => ({
    params: { appId: w.appId },
    body: {
      customStrategies: [{ name: 'half', percentage: 500000, attributes: [TIER_IS_GOLD] }],
      sharedStrategies: [{ strategyId: w.strategyId, value: true }],
    },
  }),
  getApplicationStrategy: async (w) => ({ params: { appId: w.appId, appStrategyId: w.strategyId } }),
  updateApplicationStrategy: async (w) => ({
    params: { appId: w.appId, appStrategyId: w.strategyId },
    body: {
      percentage: Math.floor(Math.random() * 100000),
      percentageAttributes: ['company'],
      attributes: [TIER_IS_GOLD],
    },
  }),
  deleteApplicationStrategy: async (w) => ({
    params: { appId: w.appId, appStrategyId: await w.fresh.strategy() },
  }),

  // ---- feature filters (API 1.2.6) ----
  createFeatureFilter: async (w) => ({
    params: { id: w.portfolioId },
    body: { name: w.unique('filter'), description: 'mobile clients' },
  }),
  findFeatureFilters: async (w) => ({ params: { id: w.portfolioId }, query: { includeDetails: true } }),
  updateFeatureFilter: async (w) => {
    const f = await freshFilter(w);
    return {
      params: { id: w.portfolioId },
      body: { id: f.id, name: w.unique('renamed'), description: 'changed', version: f.version },
    };
  },
  getFeatureFilter: async (w) => {
    const f = await freshFilter(w);
    return { params: { id: w.portfolioId, filterId: f.id } };
  },
  deleteFeatureFilter: async (w) => {
    const f = await freshFilter(w);
    return { params: { id: w.portfolioId, filterId: f.id }, query: { version: f.version } };
  },
  getMatchingFilters: async (w) => {
    const f = await freshFilter(w);
    return { params: { id: w.portfolioId, matchType: 'serviceaccounts' }, query: { filters: [f.id] } };
  },
  // ---- feature groups ----
  listFeatureGroups: async (w) => ({
    params: { appId: w.appId },
    query: { environmentId: w.devEnvId, filter: 'feature', max: 10, page: 0, sortOrder: 'ASC' },
  }),
  createFeatureGroup: async (w) => ({ params: { appId: w.appId }, body: await featureGroupBody(w) }),
  getFeatureGroupFeatures: async (w) => ({ params: { appId: w.appId, envId: w.devEnvId } }),
  getFeatureGroup: async (w) => ({ params: { appId: w.appId, fgId: (await freshFeatureGroup(w)).id } }),
  updateFeatureGroup: async (w) => {
    const group = await freshFeatureGroup(w);
    return {
      params: { appId: w.appId },
      body: {
        id: group.id,
        version: group.version,
        name: w.unique('feature group'),
        features: group.features.map((f: { id: string }) => ({ id: f.id, value: 'silver' })),
        strategies: group.strategies,
      },
    };
  },
  deleteFeatureGroup: async (w) => ({ params: { appId: w.appId, fgId: (await freshFeatureGroup(w)).id } }),
  // ---- webhooks and the system config (a ping to a closed port still lands in the history) ----
  getWebhookTypes: async () => ({}),
  testWebhook: async (w) => ({
    body: {
      messageType: 'enriched-feature-v1',
      envId: w.devEnvId,
      config: { 'webhook.features.endpoint': 'http://127.0.0.1:9/closed' },
    },
  }),
  listWebhooks: async (w) => ({ params: { envId: w.devEnvId }, query: { max: 10 } }),
  getWebhookDetails: async (w) => {
    let list = await get(w, `/webhooks/${w.devEnvId}`);
    if (list.results.length === 0) {
      await ok(
        'ping',
        w.su.post('/webhooks', {
          messageType: 'enriched-feature-v1',
          envId: w.devEnvId,
          config: { 'webhook.features.endpoint': 'http://127.0.0.1:9/closed' },
        }),
      );
      list = await get(w, `/webhooks/${w.devEnvId}`);
    }
    return { params: { envId: w.devEnvId, id: list.results[0].id } };
  },
  getSystemConfig: async () => ({ query: { filters: ['slack.'] } }),
  decryptSystemConfig: async () => ({ params: { key: 'slack.bearerToken' } }),
  createOrUpdateSystemConfigs: async (w) => {
    const current = await get(w, '/system-api?filters=slack.defaultChannel');
    const version = current.configs.find((c: { key: string }) => c.key === 'slack.defaultChannel').version;
    return {
      body: {
        configs: [{ key: 'slack.defaultChannel', version, value: `C${Math.floor(Math.random() * 1e6)}` }],
      },
    };
  },

  // ---- the caller's own preferences ----
  getHiddenEnvironments: async (w) => ({ params: { appId: w.appId } }),
  saveHiddenEnvironments: async (w) => ({
    params: { appId: w.appId },
    body: { noneSelected: false, environmentIds: [w.devEnvId] },
  }),
};
