import { BadRequestError } from '@fh/service-kit';
import type {
  TransferApplication,
  TransferDocument,
  TransferEnvironment,
  TransferFeature,
  TransferFeatureGroup,
  TransferFeatureValue,
  TransferGroup,
  TransferPerson,
  TransferPortfolio,
  TransferServiceAccount,
} from './transfer-format.ts';
import {
  formatTransferDocument,
  parseTransferDocument,
  TRANSFER_FORMAT,
  TransferFileError,
} from './transfer-format.ts';

// Reads a running FeatureHub (upstream 1.2.5/1.2.6 or ours) through its admin API into a transfer document with
// the source's ids, so `featurehub import --from <url>` can write it with the same code that imports a file.
// Everything is read (and validated like a file) before anything is written. The account must be a superuser:
// only superusers see every portfolio, the SDK keys and the people.

export interface ReadFromServerOptions {
  /** the source's address, e.g. https://featurehub.example.com (a trailing /mr-api is accepted) */
  baseUrl: string;
  /** an admin API bearer token (a person's or an admin service account's) */
  token?: string | undefined;
  email?: string | undefined;
  password?: string | undefined;
  /** called after each request with how many are done and how many are known so far */
  onProgress?: ((progress: { done: number; total: number }) => void) | undefined;
  /** requests in flight at once (default 8) */
  concurrency?: number | undefined;
  /** per request (default 30 s) */
  timeoutMs?: number | undefined;
}

export interface ReadFromServerResult {
  document: TransferDocument;
  /** what the source has that was not read, and why */
  skipped: string[];
  /** notes for the operator */
  notes: string[];
}

/** The source cannot be read: unreachable, refused, not a superuser, or a malformed answer. */
export class SourceReadError extends BadRequestError {}

type Json = Record<string, unknown>;

const ID = /^[A-Za-z0-9_-]{1,36}$/;
/** One answer larger than this is refused (as a file larger than MAX_TRANSFER_FILE_BYTES is). */
const MAX_ANSWER_BYTES = 64 * 1024 * 1024;

async function readLimited(res: Response, where: string): Promise<string> {
  if (!res.body) return '';
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > MAX_ANSWER_BYTES) {
      throw new SourceReadError(`${where}: answer is larger than ${MAX_ANSWER_BYTES} bytes`);
    }
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks).toString('utf8');
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
/** Person ids are `{ id: { id } }` on Person and a plain string on SearchPerson. */
const personId = (v: unknown): string | null =>
  typeof v === 'string' ? v : isObject(v) && typeof v.id === 'string' ? v.id : null;

/** A typed API value as the stored text the transfer format carries. */
function storedText(type: string, value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (type === 'JSON') return typeof value === 'string' ? value : JSON.stringify(value);
  if (typeof value === 'string') return type === 'BOOLEAN' ? value.trim().toLowerCase() : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** A rollout strategy as stored: the defaults the admin API adds on the way out (`disabled: false`, no
 * percentage attributes) left out, so the same source reads the same every time and as its file export. */
function storedStrategy(s: unknown): unknown {
  if (!isObject(s)) return s;
  const out: Json = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === 'disabled' && v === false) continue;
    if (k === 'percentageAttributes' && Array.isArray(v) && v.length === 0) continue;
    out[k] = v;
  }
  return out;
}

const VALUE_FIELD: Record<string, string> = {
  BOOLEAN: 'valueBoolean',
  STRING: 'valueString',
  NUMBER: 'valueNumber',
  JSON: 'valueJson',
};

function limiter(concurrency: number) {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (active >= concurrency) await new Promise<void>((r) => waiting.push(r));
    active++;
    try {
      return await task();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

/** Reads everything the transfer format carries from a running FeatureHub. */
export async function readFromServer(options: ReadFromServerOptions): Promise<ReadFromServerResult> {
  let base: URL;
  try {
    base = new URL(options.baseUrl);
  } catch {
    throw new SourceReadError(`--from ${options.baseUrl}: not a URL`);
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:')
    throw new SourceReadError(`--from ${options.baseUrl}: only http and https URLs can be read`);
  const root = base.href.replace(/\/+$/, '').replace(/\/mr-api$/, '');
  const timeoutMs = options.timeoutMs ?? 30_000;
  const limit = limiter(Math.max(1, options.concurrency ?? 8));
  const skipped: string[] = [];
  const notes: string[] = [];
  let done = 0;
  let total = 0;
  let token = options.token;

  /** One request; `optional` answers undefined for a 404 (an endpoint the source's version lacks). */
  const call = (
    method: 'GET' | 'POST',
    path: string,
    opts: { optional?: boolean; body?: unknown; login?: boolean } = {},
  ): Promise<unknown> => {
    total++;
    options.onProgress?.({ done, total });
    return limit(async () => {
      try {
        let res: Response;
        try {
          res = await fetch(`${root}${path}`, {
            method,
            headers: {
              accept: 'application/json',
              ...(token && !opts.login ? { authorization: `Bearer ${token}` } : {}),
              ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
            },
            body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
            signal: AbortSignal.timeout(timeoutMs),
            redirect: 'error',
          });
        } catch (e) {
          const err = e as Error & { cause?: { code?: string; message?: string } };
          const why =
            err.name === 'TimeoutError'
              ? `no answer within ${timeoutMs / 1000} s`
              : (err.cause?.code ?? err.cause?.message ?? err.message);
          throw new SourceReadError(`cannot reach ${root}${path}: ${why}`);
        }
        let text: string;
        try {
          text = await readLimited(res, `${root}${path}`);
        } catch (e) {
          if (e instanceof SourceReadError) throw e;
          throw new SourceReadError(
            `cannot reach ${root}${path}: the answer broke off: ${(e as Error).message}`,
          );
        }
        if (opts.login && (res.status === 401 || res.status === 403 || res.status === 404)) {
          throw new SourceReadError(
            `${root}${path}: wrong email or password (the source answered ${res.status})`,
          );
        }
        if (res.status === 401)
          throw new SourceReadError(
            `${root}${path}: the source refused the ${options.token ? 'token' : 'login'} (401 Unauthorized); check --token or --email/--password`,
          );
        if (res.status === 403)
          throw new SourceReadError(
            `${root}${path}: the account has no permission for this (403 Forbidden); use a superuser (organisation administrator) account`,
          );
        if (res.status === 404 && opts.optional) return undefined;
        if (res.status < 200 || res.status >= 300)
          throw new SourceReadError(
            `${root}${path}: the source answered ${res.status} ${text.slice(0, 200)}`,
          );
        try {
          return JSON.parse(text) as unknown;
        } catch {
          throw new SourceReadError(`${path}: answer is not JSON: ${JSON.stringify(text.slice(0, 80))}`);
        }
      } finally {
        done++;
        options.onProgress?.({ done, total });
      }
    });
  };
  const get = (path: string, optional = false) => call('GET', path, { optional });
  const malformed = (path: string, what: string, detail: string) =>
    new SourceReadError(`${path}: answer is not ${what}: ${detail}`);
  const object = async (path: string, what: string): Promise<Json> => {
    const v = await get(path);
    if (!isObject(v)) throw malformed(path, what, 'expected a JSON object');
    return v;
  };
  const array = (v: unknown, path: string, what: string): Json[] => {
    if (!Array.isArray(v) || !v.every(isObject)) throw malformed(path, what, 'expected a list of objects');
    return v;
  };
  const idOf = (o: Json, path: string, what: string): string => {
    const id = str(o.id);
    if (id === null)
      throw malformed(path, what, `an entry without an id: ${JSON.stringify(o).slice(0, 120)}`);
    // Ids go into the next requests' paths: only what an id can be (no "../", no "?").
    if (!ID.test(id)) throw malformed(path, what, `${JSON.stringify(id.slice(0, 80))} is not an id`);
    return id;
  };
  const live = (o: Json) => o.whenArchived === null || o.whenArchived === undefined;

  // Who we are, and the organisation.
  if (!token) {
    if (!options.email || !options.password)
      throw new SourceReadError('reading a running FeatureHub needs --token, or --email and --password');
    const login = await call('POST', '/mr-api/login', {
      login: true,
      body: { email: options.email, password: options.password },
    });
    if (!isObject(login) || typeof login.accessToken !== 'string')
      throw malformed('/mr-api/login', 'a login answer', 'no accessToken');
    token = login.accessToken;
  }
  const self = await object('/mr-api/person/self?includeGroups=true', 'a person');
  const selfGroups = array(self.groups ?? [], '/mr-api/person/self', 'a person');
  const superGroup = selfGroups.find(
    (g) => g.admin === true && (g.portfolioId === null || g.portfolioId === undefined),
  );
  if (!superGroup) {
    const who = str(self.email) ?? str(self.name) ?? 'this account';
    throw new SourceReadError(
      `${root}: ${who} is not a superuser (a member of the organisation's administrators group); reading every portfolio, the SDK keys and the people needs one`,
    );
  }
  const setup = await object('/mr-api/initialize', 'the setup answer');
  const org = isObject(setup.organization) ? setup.organization : undefined;
  if (!org || typeof org.id !== 'string' || !ID.test(org.id) || typeof org.name !== 'string')
    throw malformed('/mr-api/initialize', 'the setup answer', 'no organization id and name');

  // Portfolios with their applications; people.
  const portfoliosPath = '/mr-api/portfolio?includeApplications=true';
  const portfolioList = array(await get(portfoliosPath), portfoliosPath, 'a list of portfolios').filter(live);
  const readPeople = async (): Promise<TransferPerson[]> => {
    const out: TransferPerson[] = [];
    const pageSize = 100;
    for (let startAt = 0; ; startAt += pageSize) {
      const path = `/mr-api/person?includeDeactivated=true&personTypes=person&personTypes=serviceAccount&pageSize=${pageSize}&startAt=${startAt}`;
      const page = await object(path, 'a page of people');
      const list = array(page.people ?? page.summarisedPeople ?? [], path, 'a page of people');
      for (const p of list) {
        const id = personId(p.id);
        if (id === null) throw malformed(path, 'a page of people', 'a person without an id');
        const type =
          p.personType === 'serviceAccount'
            ? 'serviceAccount'
            : p.personType === 'sdkServiceAccount'
              ? null
              : 'person';
        if (type === null) continue;
        out.push({
          id,
          email: str(p.email),
          name: str(p.name),
          type,
          deactivated: (p.whenArchived ?? p.whenDeactivated ?? null) !== null,
        });
      }
      const max = typeof page.max === 'number' ? page.max : 0;
      if (list.length < pageSize || startAt + pageSize >= max) break;
    }
    return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  };
  const peoplePromise = readPeople();

  const readApplication = async (app: Json, appPath: string): Promise<TransferApplication> => {
    const appId = idOf(app, appPath, 'an application');
    const featuresPath = `/mr-api/application/${appId}/features?includeMetaData=true`;
    const envPath = `/mr-api/application/${appId}/environment?includeDetails=true`;
    const strategyPages = async (): Promise<Json[]> => {
      const out: Json[] = [];
      for (let page = 0; ; page++) {
        const path = `/mr-api/application/${appId}/strategy?includeArchived=false&max=100&page=${page}`;
        const answer = await get(path, true);
        if (answer === undefined) {
          skipped.push(
            `application strategies of application ${JSON.stringify(app.name)}: the source has no application-strategy API (404 at ${path})`,
          );
          return out;
        }
        if (!isObject(answer))
          throw malformed(path, 'a list of application strategies', 'expected a JSON object');
        const items = array(answer.items ?? [], path, 'a list of application strategies');
        out.push(...items);
        if (items.length < 100 || (typeof answer.max === 'number' && out.length >= answer.max)) return out;
      }
    };
    const groupPages = async (): Promise<Json[] | undefined> => {
      const out: Json[] = [];
      for (let page = 0; ; page++) {
        const path = `/mr-api/application/${appId}/feature-groups?max=100&page=${page}`;
        const answer = await get(path, true);
        if (answer === undefined) return undefined;
        if (!isObject(answer)) throw malformed(path, 'a list of feature groups', 'expected a JSON object');
        const items = array(answer.featureGroups ?? [], path, 'a list of feature groups');
        out.push(...items);
        if (items.length < 100 || (typeof answer.count === 'number' && out.length >= answer.count))
          return out;
      }
    };
    const [featureList, envList, strategyItems, groupItems] = await Promise.all([
      get(featuresPath).then((v) => array(v, featuresPath, 'a list of features')),
      get(envPath).then((v) => array(v, envPath, 'a list of environments')),
      strategyPages(),
      groupPages(),
    ]);
    const features: TransferFeature[] = featureList.filter(live).map((f) => ({
      id: idOf(f, featuresPath, 'a list of features'),
      key: String(f.key ?? ''),
      name: String(f.name ?? f.key ?? ''),
      alias: str(f.alias),
      valueType: f.valueType as TransferFeature['valueType'],
      description: str(f.description),
      link: str(f.link),
      metadata: str(f.metaData),
      secret: f.secret === true,
      featureFilters: Array.isArray(f.featureFilter) ? (f.featureFilter as string[]).slice().sort() : [],
    }));
    const typeOf = new Map(features.map((f) => [f.key, f.valueType as string]));
    const strategies = strategyItems.map((item) => {
      const s = isObject(item.strategy) ? item.strategy : {};
      const { id: sid, name, ...body } = s;
      return {
        id: idOf({ id: sid }, `/mr-api/application/${appId}/strategy`, 'a list of application strategies'),
        name: String(name ?? ''),
        code: str(item.uniqueCode) ?? String(sid),
        strategy: body,
      };
    });
    const strategyIds = new Set(strategies.map((s) => s.id));
    const liveEnvs = envList.filter(live);
    const envIds = new Set(liveEnvs.map((e) => idOf(e, envPath, 'a list of environments')));

    const environments = await Promise.all(
      liveEnvs.map(async (e): Promise<TransferEnvironment> => {
        const envId = e.id as string;
        const valuesPath = `/mr-api/features/${envId}`;
        const valuesAnswer = await object(valuesPath, 'the feature values of an environment');
        const values: TransferFeatureValue[] = [];
        for (const v of array(
          valuesAnswer.featureValues ?? [],
          valuesPath,
          'the feature values of an environment',
        )) {
          const key = str(v.key);
          if (v.id === null || v.id === undefined || key === null) continue;
          const type = typeOf.get(key);
          if (type === undefined) continue; // an archived feature's value
          const instances = Array.isArray(v.rolloutStrategyInstances)
            ? v.rolloutStrategyInstances.filter(isObject)
            : [];
          values.push({
            id: idOf(v, valuesPath, 'the feature values of an environment'),
            feature: key,
            ...(typeof v.version === 'number' && v.version >= 1 ? { version: v.version } : {}),
            value: storedText(type, v.value !== undefined ? v.value : v[VALUE_FIELD[type] ?? 'value']),
            locked: v.locked === true,
            retired: v.retired === true,
            strategies: Array.isArray(v.rolloutStrategies) ? v.rolloutStrategies.map(storedStrategy) : [],
            applicationStrategies: instances
              .filter((i) => typeof i.strategyId === 'string' && strategyIds.has(i.strategyId))
              .map((i) => ({
                strategy: i.strategyId as string,
                enabled: i.disabled !== true,
                value: storedText(type, i.value),
              })),
          });
        }
        values.sort((a, b) => (a.feature < b.feature ? -1 : a.feature > b.feature ? 1 : 0));
        let webhookInfo: Record<string, unknown> | undefined;
        const listed = e.webhookEnvironmentInfo;
        if (listed === undefined || (isObject(listed) && Object.keys(listed).length > 0)) {
          const detailPath = `/mr-api/environment/${envId}?includeDetails=true&decryptWebhookDetails=true`;
          const detail = await object(detailPath, 'an environment');
          if (isObject(detail.webhookEnvironmentInfo)) webhookInfo = detail.webhookEnvironmentInfo;
        } else if (isObject(listed)) webhookInfo = listed;
        const prior = str(e.priorEnvironmentId);
        return {
          id: envId,
          name: String(e.name ?? ''),
          description: str(e.description),
          priorEnvironment: prior !== null && envIds.has(prior) ? prior : null,
          production: e.production === true,
          info: isObject(e.environmentInfo) ? e.environmentInfo : {},
          managementInfo: {},
          ...(webhookInfo !== undefined ? { webhookInfo } : {}),
          values,
          featureGroups: [],
        };
      }),
    );
    if (groupItems === undefined) {
      skipped.push(
        `feature groups of application ${JSON.stringify(app.name)}: the source has no feature-group API (404; FeatureHub before 1.2.5)`,
      );
    } else {
      const byEnv = new Map(environments.map((e) => [e.id, e]));
      const groups = await Promise.all(
        groupItems.map(async (g) => {
          const gid = idOf(g, `/mr-api/application/${appId}/feature-groups`, 'a list of feature groups');
          const path = `/mr-api/application/${appId}/feature-groups/${gid}`;
          const full = await object(path, 'a feature group');
          return { full, path, env: str(full.environmentId) ?? str(g.environmentId) };
        }),
      );
      for (const { full, path, env } of groups) {
        const target = env === null ? undefined : byEnv.get(env);
        if (!target) continue;
        const members = array(full.features ?? [], path, 'a feature group')
          .filter((m) => typeOf.has(String(m.key)))
          .map((m) => ({ feature: String(m.key), value: storedText(typeOf.get(String(m.key))!, m.value) }))
          .sort((a, b) => (a.feature < b.feature ? -1 : a.feature > b.feature ? 1 : 0));
        const group: TransferFeatureGroup = {
          id: idOf(full, path, 'a feature group'),
          name: String(full.name ?? ''),
          description: str(full.description),
          position: typeof full.order === 'number' ? full.order : 0,
          strategies: Array.isArray(full.strategies) ? full.strategies.map(storedStrategy) : [],
          features: members,
        };
        target.featureGroups.push(group);
      }
      for (const e of environments)
        e.featureGroups.sort((a, b) => a.position - b.position || (a.name < b.name ? -1 : 1));
    }
    return {
      id: appId,
      name: String(app.name ?? ''),
      description: str(app.description),
      strategies: strategies.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
      features: features.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)),
      environments: environments.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    };
  };

  const readGroup = async (gid: string, appIds: Set<string>, envIds: Set<string>): Promise<TransferGroup> => {
    const path = `/mr-api/group/${gid}?includeMembers=true&includeGroupRoles=true`;
    const g = await object(path, 'a group');
    return toGroup(g, path, appIds, envIds);
  };
  const toGroup = (g: Json, path: string, appIds: Set<string>, envIds: Set<string>): TransferGroup => ({
    id: idOf(g, path, 'a group'),
    name: String(g.name ?? ''),
    admin: g.admin === true,
    members: array(g.members ?? [], path, 'a group')
      .map((m) => personId(m.id))
      .filter((m): m is string => m !== null)
      .sort(),
    applications: array(g.applicationRoles ?? [], path, 'a group')
      .filter((r) => typeof r.applicationId === 'string' && appIds.has(r.applicationId))
      .map((r) => ({
        application: r.applicationId as string,
        roles: (Array.isArray(r.roles) ? r.roles.map(String) : []).sort(),
      }))
      .sort((a, b) => (a.application < b.application ? -1 : 1)),
    environments: array(g.environmentRoles ?? [], path, 'a group')
      .filter((r) => typeof r.environmentId === 'string' && envIds.has(r.environmentId))
      .map((r) => ({
        environment: r.environmentId as string,
        roles: (Array.isArray(r.roles) ? r.roles.map(String) : []).sort(),
      }))
      .sort((a, b) => (a.environment < b.environment ? -1 : 1)),
  });

  const portfolios = await Promise.all(
    portfolioList.map(async (p): Promise<TransferPortfolio> => {
      const pid = idOf(p, portfoliosPath, 'a list of portfolios');
      const apps = array(p.applications ?? [], portfoliosPath, 'a list of portfolios').filter(live);
      const filtersRead = (async () => {
        const out: Json[] = [];
        for (let page = 0; ; page++) {
          const path = `/mr-api/portfolio/${pid}/feature-filter?includeDetails=true&max=100&page=${page}`;
          const answer = await get(path, true);
          if (answer === undefined) {
            skipped.push(
              `feature filters of portfolio ${JSON.stringify(p.name)}: the source has no feature-filter API (404; FeatureHub before 1.2.6)`,
            );
            return out;
          }
          if (!isObject(answer)) throw malformed(path, 'a list of feature filters', 'expected a JSON object');
          const items = array(answer.filters ?? [], path, 'a list of feature filters');
          out.push(...items);
          const max =
            typeof answer.max === 'number'
              ? answer.max
              : isObject(answer.pagination) && typeof answer.pagination.max === 'number'
                ? answer.pagination.max
                : 0;
          if (items.length < 100 || out.length >= max) return out;
        }
      })();
      const accountsPath = `/mr-api/portfolio/${pid}/service-account?includePermissions=true&includeSdkUrls=true`;
      const groupsPath = `/mr-api/portfolio/${pid}/group`;
      const [applications, filters, accounts, groupList] = await Promise.all([
        Promise.all(apps.map((a) => readApplication(a, portfoliosPath))),
        filtersRead,
        get(accountsPath).then((v) => array(v, accountsPath, 'a list of service accounts')),
        get(groupsPath).then((v) => array(v, groupsPath, 'a list of groups')),
      ]);
      const appIds = new Set(applications.map((a) => a.id));
      const envIds = new Set(applications.flatMap((a) => a.environments.map((e) => e.id)));
      const groups = await Promise.all(
        groupList.filter(live).map((g) => readGroup(idOf(g, groupsPath, 'a list of groups'), appIds, envIds)),
      );
      const filterIds = new Set(filters.map((f) => String(f.id)));
      const serviceAccounts: TransferServiceAccount[] = accounts.filter(live).map((s) => {
        const sid = idOf(s, accountsPath, 'a list of service accounts');
        const permissions = array(s.permissions ?? [], accountsPath, 'a list of service accounts');
        const fromUrl = (field: string) => {
          for (const perm of permissions) {
            const url = str(perm[field]);
            if (url?.includes('/')) return url.slice(url.indexOf('/') + 1);
          }
          return null;
        };
        const server = str(s.apiKeyServerSide) ?? fromUrl('sdkUrlServerEval');
        const client = str(s.apiKeyClientSide) ?? fromUrl('sdkUrlClientEval');
        if (server === null || client === null)
          notes.push(
            `service account ${JSON.stringify(s.name)}: the source did not show its SDK keys; the import gives it new ones (SDKs using it must be re-keyed)`,
          );
        return {
          id: sid,
          name: String(s.name ?? ''),
          description: str(s.description),
          ...(server !== null && client !== null
            ? { apiKeys: { serverEvaluated: server, clientEvaluated: client } }
            : {}),
          featureFilters: (Array.isArray(s.featureFilters) ? s.featureFilters.map(String) : [])
            .filter((f) => filterIds.has(f))
            .sort(),
          environments: permissions
            .filter((perm) => typeof perm.environmentId === 'string' && envIds.has(perm.environmentId))
            .map((perm) => ({
              environment: perm.environmentId as string,
              roles: (Array.isArray(perm.permissions) ? perm.permissions.map(String) : []).sort(),
            }))
            .sort((a, b) => (a.environment < b.environment ? -1 : 1)),
        };
      });
      return {
        id: pid,
        name: String(p.name ?? ''),
        description: str(p.description),
        featureFilters: filters
          .map((f) => ({
            id: idOf(f, `/mr-api/portfolio/${pid}/feature-filter`, 'a list of feature filters'),
            name: String(f.name ?? ''),
            description: str(f.description),
          }))
          .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
        serviceAccounts: serviceAccounts.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
        groups: groups.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
        applications: applications.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
      };
    }),
  );
  const orgGroupPath = `/mr-api/organization/${org.id}/group`;
  const [people, orgGroup] = await Promise.all([peoplePromise, object(orgGroupPath, 'a group')]);
  const superusers = toGroup(orgGroup, orgGroupPath, new Set(), new Set());
  superusers.admin = true;

  // Members that are not among the people read (e.g. SDK service accounts' shadow people) are left out.
  const known = new Set(people.map((p) => p.id));
  for (const g of [superusers, ...portfolios.flatMap((p) => p.groups ?? [])]) {
    g.members = g.members.filter((m) => known.has(m));
  }
  notes.push('environments: management settings are not offered by the admin API and were not read');

  const document: TransferDocument = {
    featurehub: TRANSFER_FORMAT,
    organisation: { id: org.id, name: org.name, groups: [superusers] },
    people,
    portfolios: portfolios.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
  };
  return { document: validated(document, root, origins(document)), skipped, notes };
}

/** Where each part of the document came from: JSON pointer prefix → the admin API path. */
function origins(doc: TransferDocument): [string, string][] {
  const out: [string, string][] = [
    ['/organisation/groups', `/mr-api/organization/${doc.organisation.id}/group`],
    ['/organisation', '/mr-api/initialize'],
    ['/people', '/mr-api/person'],
  ];
  doc.portfolios.forEach((p, pi) => {
    const at = `/portfolios/${pi}`;
    out.push([`${at}/featureFilters`, `/mr-api/portfolio/${p.id}/feature-filter`]);
    out.push([`${at}/serviceAccounts`, `/mr-api/portfolio/${p.id}/service-account`]);
    (p.groups ?? []).forEach((g, gi) => {
      out.push([`${at}/groups/${gi}`, `/mr-api/group/${g.id}`]);
    });
    p.applications.forEach((a, ai) => {
      const aat = `${at}/applications/${ai}`;
      out.push([`${aat}/strategies`, `/mr-api/application/${a.id}/strategy`]);
      out.push([`${aat}/features`, `/mr-api/application/${a.id}/features`]);
      a.environments.forEach((e, ei) => {
        const eat = `${aat}/environments/${ei}`;
        out.push([`${eat}/values`, `/mr-api/features/${e.id}`]);
        out.push([`${eat}/featureGroups`, `/mr-api/application/${a.id}/feature-groups`]);
        out.push([eat, `/mr-api/application/${a.id}/environment`]);
      });
      out.push([aat, '/mr-api/portfolio']);
    });
    out.push([at, '/mr-api/portfolio']);
  });
  return out.sort((a, b) => b[0].length - a[0].length);
}

/** The same validation as a file; a failure names the admin API path the bad part came from. */
function validated(doc: TransferDocument, root: string, from: [string, string][]): TransferDocument {
  try {
    return parseTransferDocument(formatTransferDocument(doc, 'json'), 'source');
  } catch (e) {
    if (!(e instanceof TransferFileError)) throw e;
    const pointer = e.where.replace(/^source#?/, '');
    const what = e.message.slice(e.where.length + 2);
    const origin = from.find(([prefix]) => pointer === prefix || pointer.startsWith(`${prefix}/`));
    throw new SourceReadError(
      `${root}${origin?.[1] ?? ''}: answer is not a valid FeatureHub object: ${what} (at ${pointer || '/'} of the document read)`,
    );
  }
}
