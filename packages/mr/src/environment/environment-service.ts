import { BadRequestError, ForbiddenError, NotFoundError, StaleVersionError } from '@fh/service-kit';
import { applicationOf } from '../application/application-read-model.ts';
import type { Application } from '../application/application-store.ts';
import type { Stores } from '../db/stores.ts';
import type { Feature } from '../feature/feature-store.ts';
import type { EnvironmentAcl, EnvironmentRole } from '../group/group-store.ts';
import type { Access } from '../permission/access.ts';
import type { ChangeSet } from '../publishing/change-set.ts';
import type { ServiceAccount } from '../service-account/service-account-store.ts';
import { environmentRef, environmentsVisibleIn } from './environment-read-model.ts';
import { type Environment, type EnvironmentInfo, orderByPromotion } from './environment-store.ts';

/** An environment with what a reader asked to see alongside it. */
export interface EnvironmentView {
  environment: Environment;
  /** show environmentInfo */
  details?: boolean;
  /** show webhookEnvironmentInfo (administrators only: it holds endpoints and headers) */
  webhookDetails?: boolean;
  /** webhook settings in clear instead of masked (`decryptWebhookDetails`; administrators only) */
  webhookInClear?: Record<string, string>;
  groupRoles?: EnvironmentAcl[];
  features?: Feature[];
  serviceAccounts?: ServiceAccountInEnvironment[];
}

/** An SDK service account holding roles in an environment. */
export interface ServiceAccountInEnvironment {
  serviceAccount: ServiceAccount;
  roles: EnvironmentRole[];
  /**
   * whether the caller may see the account's keys (docs/admin-api-rules.md §SDK service accounts: admins,
   * or holders of a superset of its roles)
   */
  showKeys: boolean;
  sdkUrls: boolean;
}

export interface EnvironmentIncludes {
  acls?: boolean;
  features?: boolean;
  details?: boolean;
  serviceAccounts?: boolean;
  sdkUrls?: boolean;
}

export type EnvironmentOrder = 'ASC' | 'DESC' | 'PRIORITY';

export interface NewEnvironment {
  name: string;
  description?: string | null;
  production?: boolean;
  /** the environment it follows; omitted = after the current last */
  priorEnvironmentId?: string;
  environmentInfo?: EnvironmentInfo;
}

/** A partial update: missing fields stay unchanged, a null description clears it. */
export interface EnvironmentChanges {
  /** the version the caller edited */
  version: number;
  name?: string;
  description?: string | null;
  production?: boolean;
  /** replaces the user info (keys starting `mgmt.` are dropped) */
  environmentInfo?: EnvironmentInfo;
  /** merged into the webhook info; `<key>.deleted` removes `<key>` */
  webhookEnvironmentInfo?: EnvironmentInfo;
  /** moves the environment to right after this one in promotion order */
  priorEnvironmentId?: string;
}

/** One entry of a promotion-order change: the environment, its new predecessor and the version edited. */
export interface EnvironmentPlacement {
  id: string;
  priorEnvironmentId: string | null;
  version: number | undefined;
}

/** Settings keys only operators set (through the database or config), never the API. */
const MANAGEMENT_PREFIX = 'mgmt.';
const DELETED_SUFFIX = '.deleted';

export function withoutManagementKeys(info: EnvironmentInfo): EnvironmentInfo {
  return Object.fromEntries(Object.entries(info).filter(([k]) => !k.startsWith(MANAGEMENT_PREFIX)));
}

/** Webhook settings are merged key by key, so a client can change one header without resending secrets. */
export function mergeWebhookInfo(current: EnvironmentInfo, update: EnvironmentInfo): EnvironmentInfo {
  const out = { ...current };
  for (const [key, value] of Object.entries(update)) {
    if (key.endsWith(DELETED_SUFFIX)) delete out[key.slice(0, -DELETED_SUFFIX.length)];
    else out[key] = value;
  }
  return out;
}

function requiredName(name: string): string {
  const trimmed = name.trim();
  if (trimmed === '') throw new BadRequestError('the environment name must not be blank');
  return trimmed;
}

/** What showing environments with their includes reads. */
type EnvironmentViewStores = Pick<
  Stores,
  'applications' | 'environments' | 'features' | 'groups' | 'serviceAccounts'
>;

/** What adding an environment writes: the environment, and a value for each boolean feature. */
type NewEnvironmentStores = Pick<Stores, 'environments' | 'features' | 'featureValues'>;

async function environmentWithApp(tx: Pick<Stores, 'applications' | 'environments'>, environmentId: string) {
  const environment = await tx.environments.findById(environmentId);
  if (!environment) throw new NotFoundError(`environment ${environmentId} not found`);
  const application = await applicationOf(tx, environment.applicationId);
  return { environment, application, ref: environmentRef(environment, application) };
}

export function sortEnvironments(envs: readonly Environment[], order: EnvironmentOrder): Environment[] {
  if (order === 'PRIORITY') return orderByPromotion(envs);
  const sorted = [...envs].sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  return order === 'DESC' ? sorted.reverse() : sorted;
}

async function withIncludes(
  tx: Pick<Stores, 'features' | 'groups' | 'serviceAccounts'>,
  access: Access,
  app: Application,
  envs: readonly Environment[],
  includes: EnvironmentIncludes,
): Promise<EnvironmentView[]> {
  const admin = access.isPortfolioAdmin(app.portfolioId);
  const ids = envs.map((e) => e.id);
  const acls =
    includes.acls && ids.length > 0 ? await tx.groups.listEnvironmentAcls({ environmentIds: ids }) : [];
  const features = includes.features ? await tx.features.list({ applicationId: app.id }) : undefined;
  let accounts: Map<string, ServiceAccountInEnvironment[]> | undefined;
  if (includes.serviceAccounts && ids.length > 0) {
    accounts = new Map();
    const perms = await tx.serviceAccounts.listPermissions({ environmentIds: ids });
    const found =
      perms.length === 0 ? [] : await tx.serviceAccounts.list({ ids: perms.map((p) => p.serviceAccountId) });
    const byId = new Map(found.map((sa) => [sa.id, sa]));
    for (const p of perms) {
      const sa = byId.get(p.serviceAccountId);
      const env = envs.find((e) => e.id === p.environmentId);
      if (!sa || !env) continue;
      const mine = access.environmentRoles(environmentRef(env, app));
      const entry: ServiceAccountInEnvironment = {
        serviceAccount: sa,
        roles: p.roles,
        showKeys: admin || p.roles.every((r) => mine.has(r)),
        sdkUrls: includes.sdkUrls === true,
      };
      accounts.set(p.environmentId, [...(accounts.get(p.environmentId) ?? []), entry]);
    }
  }
  return envs.map((environment) => ({
    environment,
    details: includes.details === true,
    webhookDetails: includes.details === true && admin,
    ...(includes.acls ? { groupRoles: acls.filter((a) => a.environmentId === environment.id) } : {}),
    ...(features ? { features } : {}),
    ...(accounts ? { serviceAccounts: accounts.get(environment.id) ?? [] } : {}),
  }));
}

export async function listEnvironments(
  tx: EnvironmentViewStores,
  access: Access,
  applicationId: string,
  query: { order?: EnvironmentOrder; filter?: string; includes?: EnvironmentIncludes } = {},
): Promise<EnvironmentView[]> {
  const app = await applicationOf(tx, applicationId);
  if (!access.canReadApplication(app)) {
    throw new ForbiddenError('You have no access to this application');
  }
  const needle = query.filter?.trim().toLowerCase();
  const envs = (await environmentsVisibleIn(tx, access, app)).filter(
    (e) => !needle || e.name.toLowerCase().includes(needle),
  );
  return withIncludes(
    tx,
    access,
    app,
    sortEnvironments(envs, query.order ?? 'PRIORITY'),
    query.includes ?? {},
  );
}

export async function getEnvironment(
  tx: EnvironmentViewStores,
  access: Access,
  environmentId: string,
  includes: EnvironmentIncludes = {},
): Promise<EnvironmentView> {
  const { environment, application, ref } = await environmentWithApp(tx, environmentId);
  if (access.environmentRoles(ref).size === 0) {
    throw new ForbiddenError('You have no access to this environment');
  }
  const [view] = await withIncludes(tx, access, application, [environment], includes);
  return view!;
}

/**
 * `decryptWebhookDetails` (upstream's admin UI asks for it to edit an environment's webhooks): only who may
 * change those settings (superusers and admins of the environment's portfolio) may read their secrets; anyone
 * else is refused rather than silently shown the masked values.
 */
export function requireWebhookSecretsReader(view: EnvironmentView): void {
  if (!view.webhookDetails) {
    throw new ForbiddenError(
      "Only superusers and administrators of the environment's portfolio may see its webhook settings decrypted",
    );
  }
}

/**
 * Creates an environment without checking who asks (the application's production environment is
 * made this way): default values for the application's boolean features come with it.
 */
export async function addEnvironment(
  tx: NewEnvironmentStores,
  changes: ChangeSet,
  app: Application,
  input: NewEnvironment,
  whoId: string | null,
): Promise<Environment> {
  const before = await tx.environments.list({ applicationId: app.id });
  if (input.priorEnvironmentId !== undefined && !before.some((e) => e.id === input.priorEnvironmentId)) {
    throw new BadRequestError(
      `priorEnvironmentId ${input.priorEnvironmentId} is not an environment of application ${app.id}`,
    );
  }
  const env = await tx.environments.create({
    applicationId: app.id,
    name: requiredName(input.name),
    description: input.description ?? null,
    production: input.production ?? false,
    ...(input.priorEnvironmentId !== undefined ? { priorEnvironmentId: input.priorEnvironmentId } : {}),
    environmentInfo: withoutManagementKeys(input.environmentInfo ?? {}),
  });
  // A boolean feature always has a value; in a new environment it starts false and locked
  // (docs/admin-api-rules.md §Environments).
  for (const feature of await tx.features.list({ applicationId: app.id })) {
    if (feature.valueType !== 'BOOLEAN') continue;
    await tx.featureValues.create({
      environmentId: env.id,
      featureId: feature.id,
      value: 'false',
      locked: true,
      whoUpdated: whoId,
    });
  }
  changes.environmentChanged(env.id, 'create');
  await recordRelinked(tx, changes, app.id, before);
  return env;
}

/** Environments whose version moved because another one was inserted or removed before them. */
async function recordRelinked(
  tx: Pick<Stores, 'environments'>,
  changes: ChangeSet,
  applicationId: string,
  before: readonly Environment[],
): Promise<void> {
  const versions = new Map(before.map((e) => [e.id, e.version]));
  for (const e of await tx.environments.list({ applicationId })) {
    const was = versions.get(e.id);
    if (was !== undefined && was !== e.version) changes.environmentChanged(e.id);
  }
}

export async function createEnvironment(
  tx: Pick<Stores, 'applications' | 'environments' | 'features' | 'featureValues'>,
  changes: ChangeSet,
  access: Access,
  applicationId: string,
  input: NewEnvironment,
): Promise<EnvironmentView> {
  const app = await applicationOf(tx, applicationId);
  access.requirePortfolioAdmin(app.portfolioId);
  const env = await addEnvironment(tx, changes, app, input, access.personId);
  return { environment: env, details: true, webhookDetails: true };
}

/**
 * Partial update. With `inApplication`, the environment must belong to that application (the
 * application-scoped route); a new priorEnvironmentId moves the environment there in promotion order.
 */
export async function updateEnvironment(
  tx: Pick<Stores, 'applications' | 'environments'>,
  changes: ChangeSet,
  access: Access,
  environmentId: string,
  patch: EnvironmentChanges,
  options: {
    inApplication?: string;
    /** checks and encrypts the merged webhook settings (webhook/webhook-settings.ts) */
    sealWebhookInfo?: (merged: EnvironmentInfo, current: EnvironmentInfo) => EnvironmentInfo;
  } = {},
): Promise<EnvironmentView> {
  const { environment: current, application } = await environmentWithApp(tx, environmentId);
  if (options.inApplication !== undefined && current.applicationId !== options.inApplication) {
    throw new NotFoundError(`environment ${environmentId} not found in application ${options.inApplication}`);
  }
  access.requirePortfolioAdmin(application.portfolioId);
  if (current.version !== patch.version) {
    throw new StaleVersionError(
      `environment ${environmentId} is at version ${current.version}, not ${patch.version}; reload and try again`,
    );
  }
  const before = await tx.environments.list({ applicationId: application.id });
  const prior = patch.priorEnvironmentId;
  if (prior !== undefined && prior !== current.priorEnvironmentId) {
    if (prior === current.id) throw new BadRequestError('an environment cannot follow itself');
    if (!before.some((e) => e.id === prior)) {
      throw new BadRequestError(
        `priorEnvironmentId ${prior} is not an environment of application ${application.id}`,
      );
    }
    // Take it out of the chain (its followers now follow its predecessor), then put it after `prior`.
    for (const e of before) {
      if (e.priorEnvironmentId === current.id) {
        await tx.environments.update(e.id, { priorEnvironmentId: current.priorEnvironmentId });
      }
    }
    for (const e of await tx.environments.list({ applicationId: application.id })) {
      if (e.id !== current.id && e.priorEnvironmentId === prior) {
        await tx.environments.update(e.id, { priorEnvironmentId: current.id });
      }
    }
  }
  const updated = await tx.environments.update(current.id, {
    version: patch.version,
    ...(patch.name !== undefined ? { name: requiredName(patch.name) } : {}),
    ...(patch.description !== undefined ? { description: patch.description } : {}),
    ...(patch.production !== undefined ? { production: patch.production } : {}),
    ...(patch.environmentInfo !== undefined
      ? { environmentInfo: withoutManagementKeys(patch.environmentInfo) }
      : {}),
    ...(patch.webhookEnvironmentInfo !== undefined
      ? {
          webhookEnvironmentInfo: (options.sealWebhookInfo ?? ((m: EnvironmentInfo) => m))(
            mergeWebhookInfo(current.webhookEnvironmentInfo, patch.webhookEnvironmentInfo),
            current.webhookEnvironmentInfo,
          ),
        }
      : {}),
    ...(prior !== undefined && prior !== current.priorEnvironmentId ? { priorEnvironmentId: prior } : {}),
  });
  changes.environmentChanged(updated.id);
  await recordRelinked(tx, changes, application.id, before);
  return { environment: updated, details: true, webhookDetails: true };
}

/**
 * Sets the promotion order of an application's environments. Every entry must name a live environment
 * of the application at its current version; predecessors must be environments of the application (or
 * null); the result must have no cycle. Environments not listed keep their predecessor. Every refusal,
 * a stale version included, is a 400 as upstream.
 */
export async function reorderEnvironments(
  tx: Pick<Stores, 'applications' | 'environments'>,
  changes: ChangeSet,
  access: Access,
  applicationId: string,
  placements: readonly EnvironmentPlacement[],
): Promise<EnvironmentView[]> {
  const app = await applicationOf(tx, applicationId);
  access.requirePortfolioAdmin(app.portfolioId);
  const envs = await tx.environments.list({ applicationId: app.id });
  const byId = new Map(envs.map((e) => [e.id, e]));
  const priors = new Map(envs.map((e) => [e.id, e.priorEnvironmentId]));
  const seen = new Set<string>();
  for (const p of placements) {
    const env = byId.get(p.id);
    if (!env) {
      throw new BadRequestError(`environment ${p.id} is not an environment of application ${app.id}`);
    }
    if (seen.has(p.id)) throw new BadRequestError(`environment ${env.name} is listed twice`);
    seen.add(p.id);
    if (p.version === undefined) {
      throw new BadRequestError(`environment ${env.name} has no version`);
    }
    if (p.version !== env.version) {
      // 400, not the usual 422: upstream's setOrdering refuses every bad ordering alike.
      throw new StaleVersionError(
        `environment ${env.name} is at version ${env.version}, not ${p.version}; reload and try again`,
        400,
      );
    }
    if (p.priorEnvironmentId !== null && !byId.has(p.priorEnvironmentId)) {
      throw new BadRequestError(
        `environment ${env.name} cannot follow ${p.priorEnvironmentId}: not an environment of application ${app.id}`,
      );
    }
    priors.set(p.id, p.priorEnvironmentId);
  }
  const cycle = findCycle(priors);
  if (cycle) {
    const names = cycle.map((id) => byId.get(id)?.name ?? id);
    throw new BadRequestError(`the promotion order has a cycle: ${names.join(' → ')}`);
  }
  for (const p of placements) {
    const env = byId.get(p.id)!;
    if (env.priorEnvironmentId === p.priorEnvironmentId) continue;
    try {
      await tx.environments.update(env.id, {
        priorEnvironmentId: p.priorEnvironmentId,
        version: env.version,
      });
    } catch (err) {
      if (err instanceof StaleVersionError) throw new StaleVersionError(err.message, 400, { cause: err });
      throw err;
    }
    changes.environmentChanged(env.id);
  }
  const after = await tx.environments.list({ applicationId: app.id });
  return after.map((environment) => ({ environment }));
}

/** A cycle in a predecessor map (closing with its first id), or undefined. */
export function findCycle(priors: ReadonlyMap<string, string | null>): string[] | undefined {
  const cleared = new Set<string>();
  for (const start of priors.keys()) {
    const path: string[] = [];
    const onPath = new Set<string>();
    let at: string | null | undefined = start;
    while (at && !cleared.has(at)) {
      if (onPath.has(at)) return [...path.slice(path.indexOf(at)), at];
      onPath.add(at);
      path.push(at);
      at = priors.get(at);
    }
    for (const id of path) cleared.add(id);
  }
  return undefined;
}

/** Archives an environment; its followers now follow its predecessor, and caches drop it. */
export async function deleteEnvironment(
  tx: Pick<Stores, 'applications' | 'environments' | 'serviceAccounts'>,
  changes: ChangeSet,
  access: Access,
  environmentId: string,
): Promise<void> {
  const { environment, application } = await environmentWithApp(tx, environmentId);
  access.requirePortfolioAdmin(application.portfolioId);
  const before = await tx.environments.list({ applicationId: application.id });
  const holders = await tx.serviceAccounts.listPermissions({ environmentIds: [environment.id] });
  await tx.environments.archive(environment.id);
  changes.environmentChanged(environment.id, 'delete');
  for (const p of holders) changes.serviceAccountChanged(p.serviceAccountId);
  await recordRelinked(tx, changes, application.id, before);
}
