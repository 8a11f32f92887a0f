import { NotFoundError } from '@fh/service-kit';
import type { Executor } from '../db/open-database.ts';
import { parseJson, toBool } from '../db/store-support.ts';
import type {
  TransferApplication,
  TransferDocument,
  TransferEnvironment,
  TransferGroup,
  TransferPerson,
  TransferPortfolio,
  TransferServiceAccount,
} from './transfer-format.ts';
import { TRANSFER_FORMAT } from './transfer-format.ts';

export interface ExportOptions {
  /** one application (id or exact name); every application when absent */
  application?: string | undefined;
  /** SDK keys and webhook settings too */
  includeKeys?: boolean | undefined;
  /** people, admin service accounts and groups with their members and permissions (never passwords or tokens) */
  includePeople?: boolean | undefined;
}

const byName = <T extends { name: string; id: string }>(a: T, b: T) =>
  a.name < b.name ? -1 : a.name > b.name ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
const byKey =
  <T extends { id: string }>(key: (t: T) => string) =>
  (a: T, b: T) => {
    const ka = key(a);
    const kb = key(b);
    return ka < kb ? -1 : ka > kb ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  };
/** Ids per query: far below SQLite's, PostgreSQL's and MySQL's limits on bound parameters. */
const CHUNK = 500;

/** Runs `query` for slices of `ids` and joins the rows; no query at all for no ids. */
async function chunked<T>(ids: readonly string[], query: (ids: string[]) => Promise<T[]>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < ids.length; i += CHUNK) {
    for (const row of await query(ids.slice(i, i + CHUNK))) out.push(row);
  }
  return out;
}

function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}
const roleList = (roles: string) =>
  roles
    .split(',')
    .map((r) => r.trim())
    .filter((r) => r !== '')
    .sort();
const obj = (text: string | null): Record<string, unknown> => {
  const v = parseJson<unknown>(text, {});
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
};
const arr = (text: string | null): unknown[] => {
  const v = parseJson<unknown>(text, []);
  return Array.isArray(v) ? v : [];
};

/** Reads the live (not archived) state of the organisation, or of one application, into a transfer document. */
export async function exportTransferDocument(
  db: Executor,
  options: ExportOptions = {},
): Promise<TransferDocument> {
  const org = await db
    .selectFrom('fh_organisation')
    .select(['id', 'name'])
    .where('when_archived', 'is', null)
    .orderBy('when_created')
    .executeTakeFirst();
  if (!org) throw new NotFoundError('this database holds no organisation yet (it has not been initialised)');

  let apps = await db.selectFrom('fh_application').selectAll().where('archive_key', '=', '').execute();
  if (options.application !== undefined) {
    const wanted = options.application;
    const byId = apps.filter((a) => a.id === wanted);
    apps = byId.length > 0 ? byId : apps.filter((a) => a.name === wanted);
    if (apps.length === 0)
      throw new NotFoundError(`no application with id or name ${JSON.stringify(wanted)}`);
    if (apps.length > 1)
      throw new NotFoundError(`${apps.length} applications are named ${JSON.stringify(wanted)}; give its id`);
  }
  const portfolioIds = [...new Set(apps.map((a) => a.portfolio_id))];
  const portfolios =
    options.application === undefined
      ? await db.selectFrom('fh_portfolio').selectAll().where('archive_key', '=', '').execute()
      : portfolioIds.length === 0
        ? []
        : await db.selectFrom('fh_portfolio').selectAll().where('id', 'in', portfolioIds).execute();

  const appIds = apps.map((a) => a.id);
  const portfolioIdList = portfolios.map((p) => p.id);
  const envs = await chunked(appIds, (ids) =>
    db
      .selectFrom('fh_environment')
      .selectAll()
      .where('application_id', 'in', ids)
      .where('archive_key', '=', '')
      .execute(),
  );
  const envIds = envs.map((e) => e.id);
  const features = await chunked(appIds, (ids) =>
    db
      .selectFrom('fh_feature')
      .selectAll()
      .where('application_id', 'in', ids)
      .where('archive_key', '=', '')
      .execute(),
  );
  const featureIds = features.map((f) => f.id);
  const featureById = new Map(features.map((f) => [f.id, f]));
  // Values of archived features stay out (filtered here: one id list per query keeps within every dialect's limit).
  const values = (
    await chunked(envIds, (ids) =>
      db.selectFrom('fh_feature_value').selectAll().where('environment_id', 'in', ids).execute(),
    )
  ).filter((v) => featureById.has(v.feature_id));
  const valueIds = values.map((v) => v.id);
  // Each value's instances come in one chunk, in position order.
  const instances = await chunked(valueIds, (ids) =>
    db
      .selectFrom('fh_feature_value_strategy')
      .selectAll()
      .where('feature_value_id', 'in', ids)
      .orderBy('feature_value_id')
      .orderBy('position')
      .execute(),
  );
  const strategies = await chunked(appIds, (ids) =>
    db
      .selectFrom('fh_application_strategy')
      .selectAll()
      .where('application_id', 'in', ids)
      .where('archive_key', '=', '')
      .execute(),
  );
  const liveStrategyIds = new Set(strategies.map((s) => s.id));
  const groups = await chunked(envIds, (ids) =>
    db
      .selectFrom('fh_feature_group')
      .selectAll()
      .where('environment_id', 'in', ids)
      .where('archive_key', '=', '')
      .execute(),
  );
  const groupIds = groups.map((g) => g.id);
  const members = await chunked(groupIds, (ids) =>
    db.selectFrom('fh_feature_group_feature').selectAll().where('feature_group_id', 'in', ids).execute(),
  );
  const filters = await chunked(portfolioIdList, (ids) =>
    db.selectFrom('fh_feature_filter').selectAll().where('portfolio_id', 'in', ids).execute(),
  );
  const featureFilters = await chunked(featureIds, (ids) =>
    db.selectFrom('fh_feature_filter_feature').selectAll().where('feature_id', 'in', ids).execute(),
  );
  const accounts = await chunked(portfolioIdList, (ids) =>
    db
      .selectFrom('fh_service_account')
      .selectAll()
      .where('portfolio_id', 'in', ids)
      .where('archive_key', '=', '')
      .execute(),
  );
  const grants = await chunked(envIds, (ids) =>
    db.selectFrom('fh_service_account_env').selectAll().where('environment_id', 'in', ids).execute(),
  );
  const accountFilters = await chunked(
    accounts.map((a) => a.id),
    (ids) =>
      db.selectFrom('fh_service_account_filter').selectAll().where('service_account_id', 'in', ids).execute(),
  );

  const people = options.includePeople
    ? await exportPeopleAndGroups(
        db,
        org.id,
        portfolioIdList,
        appIds,
        envIds,
        options.application !== undefined,
      )
    : undefined;

  const instancesByValue = groupBy(instances, (i) => i.feature_value_id);
  const membersByGroup = groupBy(members, (m) => m.feature_group_id);
  const filtersByFeature = groupBy(featureFilters, (f) => f.feature_id);
  const grantsByAccount = groupBy(grants, (g) => g.service_account_id);
  const filtersByAccount = groupBy(accountFilters, (f) => f.service_account_id);

  const envIdSet = new Set(envIds);
  const valuesByEnvironment = groupBy(values, (v) => v.environment_id);
  const groupsByEnvironment = groupBy(groups, (g) => g.environment_id);
  const strategiesByApp = groupBy(strategies, (s) => s.application_id);
  const featuresByApp = groupBy(features, (f) => f.application_id);
  const envsByApp = groupBy(envs, (e) => e.application_id);

  const environment = (e: (typeof envs)[number]): TransferEnvironment => ({
    id: e.id,
    name: e.name,
    description: e.description,
    priorEnvironment:
      e.prior_environment_id !== null && envIdSet.has(e.prior_environment_id) ? e.prior_environment_id : null,
    production: toBool(e.is_production),
    info: obj(e.user_info),
    managementInfo: obj(e.management_info),
    ...(options.includeKeys ? { webhookInfo: obj(e.webhook_info) } : {}),
    values: (valuesByEnvironment.get(e.id) ?? [])
      .filter((v) => featureById.has(v.feature_id))
      .map((v) => ({
        id: v.id,
        feature: featureById.get(v.feature_id)!.feature_key,
        version: Number(v.version),
        value: v.default_value,
        locked: toBool(v.locked),
        retired: toBool(v.retired),
        strategies: arr(v.rollout_strategies),
        applicationStrategies: (instancesByValue.get(v.id) ?? [])
          .filter((i) => liveStrategyIds.has(i.strategy_id))
          .map((i) => ({ strategy: i.strategy_id, enabled: toBool(i.enabled), value: i.value })),
      }))
      .sort(byKey((v) => v.feature)),
    featureGroups: (groupsByEnvironment.get(e.id) ?? [])
      .slice()
      .sort((a, b) => a.position - b.position || byName(a, b))
      .map((g) => ({
        id: g.id,
        name: g.name,
        description: g.description,
        position: g.position,
        strategies: arr(g.strategies),
        features: (membersByGroup.get(g.id) ?? [])
          .filter((m) => featureById.has(m.feature_id))
          .map((m) => ({ feature: featureById.get(m.feature_id)!.feature_key, value: m.value }))
          .sort((a, b) => (a.feature < b.feature ? -1 : a.feature > b.feature ? 1 : 0)),
      })),
  });

  const application = (a: (typeof apps)[number]): TransferApplication => ({
    id: a.id,
    name: a.name,
    description: a.description,
    strategies: (strategiesByApp.get(a.id) ?? [])
      .slice()
      .sort(byName)
      .map((s) => ({ id: s.id, name: s.name, code: s.code, strategy: parseJson<unknown>(s.strategy, {}) })),
    features: (featuresByApp.get(a.id) ?? [])
      .slice()
      .sort(byKey((f) => f.feature_key))
      .map((f) => ({
        id: f.id,
        key: f.feature_key,
        name: f.name,
        alias: f.alias,
        valueType: f.value_type as TransferApplication['features'][number]['valueType'],
        description: f.description,
        link: f.link,
        metadata: f.meta_data,
        secret: toBool(f.secret),
        featureFilters: (filtersByFeature.get(f.id) ?? []).map((x) => x.filter_id).sort(),
      })),
    environments: (envsByApp.get(a.id) ?? []).slice().sort(byName).map(environment),
  });

  const serviceAccount = (s: (typeof accounts)[number]): TransferServiceAccount => ({
    id: s.id,
    name: s.name,
    description: s.description,
    ...(options.includeKeys
      ? { apiKeys: { serverEvaluated: s.api_key_server, clientEvaluated: s.api_key_client } }
      : {}),
    featureFilters: (filtersByAccount.get(s.id) ?? []).map((x) => x.filter_id).sort(),
    environments: (grantsByAccount.get(s.id) ?? [])
      .map((g) => ({ environment: g.environment_id, roles: roleList(g.roles) }))
      .sort((a, b) => (a.environment < b.environment ? -1 : a.environment > b.environment ? 1 : 0)),
  });

  const portfolio = (p: (typeof portfolios)[number]): TransferPortfolio => {
    const appsHere = apps
      .filter((a) => a.portfolio_id === p.id)
      .sort(byName)
      .map(application);
    const usedFilters = new Set<string>();
    for (const a of appsHere)
      for (const f of a.features) for (const x of f.featureFilters) usedFilters.add(x);
    // A single application's file carries only the service accounts that reach its environments.
    const accountsHere = accounts
      .filter((s) => s.portfolio_id === p.id)
      .map(serviceAccount)
      .filter((s) => options.application === undefined || s.environments.length > 0)
      .sort(byName);
    for (const s of accountsHere) for (const x of s.featureFilters) usedFilters.add(x);
    return {
      id: p.id,
      name: p.name,
      description: p.description,
      featureFilters: filters
        .filter(
          (f) => f.portfolio_id === p.id && (options.application === undefined || usedFilters.has(f.id)),
        )
        .sort(byName)
        .map((f) => ({ id: f.id, name: f.name, description: f.description })),
      serviceAccounts: accountsHere,
      ...(people ? { groups: people.portfolioGroups.get(p.id) ?? [] } : {}),
      applications: appsHere,
    };
  };

  return {
    featurehub: TRANSFER_FORMAT,
    organisation: {
      id: org.id,
      name: org.name,
      ...(people && options.application === undefined ? { groups: people.organisationGroups } : {}),
    },
    ...(people ? { people: people.people } : {}),
    portfolios: portfolios.sort(byName).map(portfolio),
  };
}

const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The superusers group and the portfolios' groups with members and roles, and the people (admin service accounts
 * included, SDK service accounts' shadow people never). For one application: its portfolio's groups with roles on
 * that application and its environments only, and only the people in those groups.
 */
async function exportPeopleAndGroups(
  db: Executor,
  organisationId: string,
  portfolioIds: string[],
  appIds: string[],
  envIds: string[],
  oneApplication: boolean,
): Promise<{
  people: TransferPerson[];
  organisationGroups: TransferGroup[];
  portfolioGroups: Map<string, TransferGroup[]>;
}> {
  const organisationGroups = oneApplication
    ? []
    : await db
        .selectFrom('fh_group')
        .selectAll()
        .where('organisation_id', '=', organisationId)
        .where('portfolio_id', 'is', null)
        .where('is_admin', '=', true)
        .where('archive_key', '=', '')
        .execute();
  const portfolioGroups = await chunked(portfolioIds, (ids) =>
    db
      .selectFrom('fh_group')
      .selectAll()
      .where('portfolio_id', 'in', ids)
      .where('archive_key', '=', '')
      .execute(),
  );
  const groups = [...organisationGroups, ...portfolioGroups];
  const groupIds = groups.map((g) => g.id);
  const apps = new Set(appIds);
  const envs = new Set(envIds);
  const members = groupBy(
    await chunked(groupIds, (ids) =>
      db.selectFrom('fh_group_member').selectAll().where('group_id', 'in', ids).execute(),
    ),
    (m) => m.group_id,
  );
  const appAcls = groupBy(
    (
      await chunked(groupIds, (ids) =>
        db.selectFrom('fh_application_acl').selectAll().where('group_id', 'in', ids).execute(),
      )
    ).filter((a) => apps.has(a.application_id)),
    (a) => a.group_id,
  );
  const envAcls = groupBy(
    (
      await chunked(groupIds, (ids) =>
        db.selectFrom('fh_environment_acl').selectAll().where('group_id', 'in', ids).execute(),
      )
    ).filter((a) => envs.has(a.environment_id)),
    (a) => a.group_id,
  );
  const persons = (
    await db
      .selectFrom('fh_person')
      .selectAll()
      .where('person_type', 'in', ['PERSON', 'SERVICEACCOUNT'])
      .execute()
  ).filter(
    (p) => !oneApplication || groupIds.some((g) => (members.get(g) ?? []).some((m) => m.person_id === p.id)),
  );
  const exported = new Set(persons.map((p) => p.id));
  const group = (g: (typeof groups)[number]): TransferGroup => ({
    id: g.id,
    name: g.name,
    admin: toBool(g.is_admin),
    members: (members.get(g.id) ?? [])
      .map((m) => m.person_id)
      .filter((id) => exported.has(id))
      .sort(byString),
    applications: (appAcls.get(g.id) ?? [])
      .map((a) => ({ application: a.application_id, roles: roleList(a.roles) }))
      .filter((a) => a.roles.length > 0)
      .sort((a, b) => byString(a.application, b.application)),
    environments: (envAcls.get(g.id) ?? [])
      .map((e) => ({ environment: e.environment_id, roles: roleList(e.roles) }))
      .filter((e) => e.roles.length > 0)
      .sort((a, b) => byString(a.environment, b.environment)),
  });
  const perPortfolio = new Map<string, TransferGroup[]>();
  for (const [portfolioId, list] of groupBy(portfolioGroups, (g) => g.portfolio_id!))
    perPortfolio.set(portfolioId, list.sort(byName).map(group));
  return {
    people: persons
      .map(
        (p): TransferPerson => ({
          id: p.id,
          email: p.email,
          name: p.name,
          type: p.person_type === 'SERVICEACCOUNT' ? 'serviceAccount' : 'person',
          deactivated: p.when_archived !== null,
        }),
      )
      .sort((a, b) => byString(a.email ?? '', b.email ?? '') || byString(a.id, b.id)),
    organisationGroups: organisationGroups.sort(byName).map(group),
    portfolioGroups: perPortfolio,
  };
}
