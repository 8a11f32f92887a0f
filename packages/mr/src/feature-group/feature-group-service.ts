import { BadRequestError, ForbiddenError, NotFoundError, StaleVersionError } from '@fh/service-kit';
import type { GroupRolloutStrategy } from '../api/index.ts';
import { applicationOf } from '../application/application-read-model.ts';
import type { Application } from '../application/application-store.ts';
import type { Stores } from '../db/stores.ts';
import { environmentOf, environmentRef, visibleEnvironments } from '../environment/environment-read-model.ts';
import type { Environment } from '../environment/environment-store.ts';
import type { Feature } from '../feature/feature-store.ts';
import type { FeatureValue } from '../feature-value/feature-value-store.ts';
import { toStoredValue } from '../feature-value/stored-value.ts';
import type { Access } from '../permission/access.ts';
import type { ChangeSet } from '../publishing/change-set.ts';
import { requireValidRolloutStrategies } from '../strategy/rollout-strategy-validation.ts';
import { honouredStrategy } from './feature-group-read-model.ts';
import {
  FEATURE_GROUP_STALE_STATUS,
  type FeatureGroup,
  type FeatureGroupMember,
} from './feature-group-store.ts';

// Feature groups (docs/feature-groups.md): a named set of features in one environment with one strategy; when it
// matches, each member serves its member value. Reading needs any role in the application; creating, changing
// and deleting need CHANGE_VALUE in the group's environment (as upstream). A locked member cannot be added,
// removed or given another value through its group.

export const MAX_FEATURE_GROUP_NAME_LENGTH = 255;
export const MAX_FEATURE_GROUP_DESCRIPTION_LENGTH = 400;
/** How far apart new groups are placed (as upstream), so others can be moved in between. */
export const FEATURE_GROUP_ORDER_STEP = 10;
const DEFAULT_PAGE_SIZE = 20;
const MAX_PAGE_SIZE = 100;

/** Who is acting, and what they may do. */
export interface FeatureGroupActor {
  personId: string;
  access: Access;
}

/** A member as the API gives it: the feature id and its value (typed, or null). */
export interface MemberInput {
  featureId: string;
  value?: unknown;
}

export interface NewFeatureGroup {
  name: string;
  description?: string | null | undefined;
  environmentId: string;
  members: MemberInput[];
  strategies?: GroupRolloutStrategy[] | null | undefined;
}

/** Missing (or null) fields stay unchanged; `members` replaces the membership. */
export interface FeatureGroupChanges {
  id: string;
  version: number;
  name?: string | null | undefined;
  description?: string | null | undefined;
  order?: number | null | undefined;
  members?: MemberInput[] | null | undefined;
  strategies?: GroupRolloutStrategy[] | null | undefined;
}

export interface FeatureGroupListQuery {
  filter?: string | undefined;
  max?: number | undefined;
  page?: number | undefined;
  sortOrder?: 'ASC' | 'DESC' | undefined;
  environmentId?: string | undefined;
}

/** A group with what it takes to show it: its environment and its member features. */
export interface FeatureGroupView {
  group: FeatureGroup;
  environment: Environment;
  /** live member features by id */
  features: ReadonlyMap<string, Feature>;
  /** the member features' values in the group's environment, by feature id */
  values: ReadonlyMap<string, FeatureValue>;
}

export interface FeatureGroupPage {
  count: number;
  items: FeatureGroupView[];
}

/** A feature of the application as a candidate member in one environment. */
export interface CandidateFeature {
  feature: Feature;
  locked: boolean;
}

export class FeatureGroupService {
  async list(
    tx: Stores,
    who: FeatureGroupActor,
    applicationId: string,
    query: FeatureGroupListQuery,
  ): Promise<FeatureGroupPage> {
    const app = await readableApplication(tx, who, applicationId);
    const envs = visibleEnvironments(who.access, app, await tx.environments.list({ applicationId }));
    const envById = new Map(envs.map((e) => [e.id, e]));
    const environmentIds =
      query.environmentId === undefined
        ? [...envById.keys()]
        : envById.has(query.environmentId)
          ? [query.environmentId]
          : [];
    const needle = query.filter?.trim().toLowerCase();
    let groups = (await tx.featureGroups.list({ applicationId, environmentIds })).filter(
      (g) => !needle || g.name.toLowerCase().includes(needle),
    );
    const direction = query.sortOrder === 'DESC' ? -1 : 1;
    groups.sort(
      (a, b) =>
        direction * (a.order - b.order) ||
        (a.environmentId < b.environmentId ? -1 : a.environmentId > b.environmentId ? 1 : 0),
    );
    const count = groups.length;
    const max = Math.min(MAX_PAGE_SIZE, Math.max(1, query.max ?? DEFAULT_PAGE_SIZE));
    const page = Math.max(0, query.page ?? 0);
    groups = groups.slice(page * max, page * max + max);
    const features = await featuresById(tx, applicationId);
    return {
      count,
      items: groups.map((group) => ({
        group,
        environment: envById.get(group.environmentId)!,
        features,
        values: new Map(),
      })),
    };
  }

  async get(
    tx: Stores,
    who: FeatureGroupActor,
    applicationId: string,
    groupId: string,
  ): Promise<FeatureGroupView> {
    await readableApplication(tx, who, applicationId);
    const group = await groupOf(tx, applicationId, groupId);
    return view(tx, group);
  }

  /** Every live feature of the application, with whether its value is locked in the environment. */
  async candidates(
    tx: Stores,
    who: FeatureGroupActor,
    applicationId: string,
    environmentId: string,
  ): Promise<CandidateFeature[]> {
    await readableApplication(tx, who, applicationId);
    const { environment } = await environmentOf(tx, environmentId);
    if (environment.applicationId !== applicationId) {
      throw new NotFoundError(
        `environment ${environmentId} is not an environment of application ${applicationId}`,
      );
    }
    const features = await tx.features.list({ applicationId });
    const locked = new Set(
      (await tx.featureValues.list({ environmentId })).filter((v) => v.locked).map((v) => v.featureId),
    );
    return features
      .map((feature) => ({ feature, locked: locked.has(feature.id) }))
      .sort((a, b) => (a.feature.key < b.feature.key ? -1 : a.feature.key > b.feature.key ? 1 : 0));
  }

  async create(
    tx: Stores,
    changes: ChangeSet,
    who: FeatureGroupActor,
    applicationId: string,
    input: NewFeatureGroup,
  ): Promise<FeatureGroupView> {
    const app = await applicationOf(tx, applicationId);
    const environment = await groupEnvironment(tx, app, input.environmentId);
    requireChangeValue(who, environment, app);
    const name = checkName(input.name);
    const description = checkDescription(input.description);
    const features = await featuresById(tx, applicationId);
    const members = toMembers(input.members, features);
    const strategies = checkStrategies(input.strategies);
    const values = await valuesOf(tx, environment.id);
    refuseLocked(
      members.map((m) => m.featureId),
      values,
      features,
      'added to a feature group',
    );
    const order = (await tx.featureGroups.highestOrder(environment.id)) + FEATURE_GROUP_ORDER_STEP;
    const group = await tx.featureGroups.create({
      applicationId,
      environmentId: environment.id,
      order,
      name,
      description,
      strategies,
      members,
      whoChanged: who.personId,
    });
    await ensureValues(tx, changes, who, environment.id, members, features, values);
    if (honouredStrategy(group)) {
      await republish(
        tx,
        changes,
        who,
        environment.id,
        members.map((m) => m.featureId),
        values,
      );
    }
    return view(tx, group);
  }

  async update(
    tx: Stores,
    changes: ChangeSet,
    who: FeatureGroupActor,
    applicationId: string,
    input: FeatureGroupChanges,
  ): Promise<FeatureGroupView> {
    const app = await applicationOf(tx, applicationId);
    const current = await groupOf(tx, applicationId, input.id);
    const { environment } = await environmentOf(tx, current.environmentId);
    requireChangeValue(who, environment, app);
    const features = await featuresById(tx, applicationId);
    const values = await valuesOf(tx, environment.id);

    const name = input.name === null || input.name === undefined ? undefined : checkName(input.name);
    const description =
      input.description === null || input.description === undefined
        ? undefined
        : checkDescription(input.description);
    const order = input.order === null || input.order === undefined ? undefined : checkOrder(input.order);
    const strategies =
      input.strategies === null || input.strategies === undefined
        ? undefined
        : checkStrategies(input.strategies);
    const members =
      input.members === null || input.members === undefined ? undefined : toMembers(input.members, features);

    const affected = new Set<string>();
    if (members !== undefined) {
      const before = new Map(current.members.map((m) => [m.featureId, m.value]));
      const after = new Map(members.map((m) => [m.featureId, m.value]));
      const touched = [
        ...[...before.keys()].filter((id) => !after.has(id)),
        ...[...after.entries()]
          .filter(([id, value]) => !before.has(id) || before.get(id) !== value)
          .map(([id]) => id),
      ];
      refuseLocked(touched, values, features, 'changed through their feature group');
      for (const id of touched) affected.add(id);
    }
    const strategyChanged =
      strategies !== undefined && JSON.stringify(strategies) !== JSON.stringify(current.strategies);
    const orderChanged = order !== undefined && order !== current.order;
    const nothingChanged =
      affected.size === 0 &&
      !strategyChanged &&
      !orderChanged &&
      (name === undefined || name === current.name) &&
      (description === undefined || description === (current.description ?? ''));
    if (nothingChanged) {
      if (input.version !== current.version) {
        // As any save from an old version would be: refused, so the caller reloads.
        throw new StaleVersionError(
          `feature group ${current.id} is at version ${current.version}, not ${input.version}; reload and try again`,
          FEATURE_GROUP_STALE_STATUS,
        );
      }
      return view(tx, current);
    }

    const updated = await tx.featureGroups.update(current.id, {
      ...(name !== undefined ? { name } : {}),
      ...(description !== undefined ? { description } : {}),
      ...(order !== undefined ? { order } : {}),
      ...(strategies !== undefined ? { strategies } : {}),
      ...(members !== undefined ? { members } : {}),
      whoChanged: who.personId,
      version: input.version,
    });
    if (members !== undefined)
      await ensureValues(tx, changes, who, environment.id, members, features, values);

    // What SDKs are served changes only if the group applies a strategy before or after.
    const applies = honouredStrategy(current) !== undefined || honouredStrategy(updated) !== undefined;
    if (applies) {
      if (strategyChanged || orderChanged) {
        for (const m of [...current.members, ...updated.members]) affected.add(m.featureId);
      }
      await republish(tx, changes, who, environment.id, [...affected], values);
    }
    return view(tx, updated);
  }

  async delete(
    tx: Stores,
    changes: ChangeSet,
    who: FeatureGroupActor,
    applicationId: string,
    groupId: string,
  ): Promise<void> {
    const app = await applicationOf(tx, applicationId);
    const group = await groupOf(tx, applicationId, groupId);
    const { environment } = await environmentOf(tx, group.environmentId);
    requireChangeValue(who, environment, app);
    await tx.featureGroups.archive(group.id, who.personId);
    if (honouredStrategy(group)) {
      const values = await valuesOf(tx, environment.id);
      await republish(
        tx,
        changes,
        who,
        environment.id,
        group.members.map((m) => m.featureId),
        values,
      );
    }
  }
}

// ---- rules ----

async function readableApplication(
  tx: Stores,
  who: FeatureGroupActor,
  applicationId: string,
): Promise<Application> {
  const app = await applicationOf(tx, applicationId);
  if (!who.access.canReadApplication(app)) {
    throw new ForbiddenError(`You have no access to application ${applicationId}`);
  }
  return app;
}

async function groupOf(tx: Stores, applicationId: string, groupId: string): Promise<FeatureGroup> {
  const group = await tx.featureGroups.findById(groupId);
  if (!group || group.applicationId !== applicationId) {
    throw new NotFoundError(`feature group ${groupId} not found in application ${applicationId}`);
  }
  return group;
}

async function groupEnvironment(tx: Stores, app: Application, environmentId: string): Promise<Environment> {
  const { environment } = await environmentOf(tx, environmentId);
  if (environment.applicationId !== app.id) {
    throw new NotFoundError(`environment ${environmentId} is not an environment of application ${app.id}`);
  }
  return environment;
}

function requireChangeValue(who: FeatureGroupActor, environment: Environment, app: Application): void {
  if (!who.access.environmentRoles(environmentRef(environment, app)).has('CHANGE_VALUE')) {
    throw new ForbiddenError(
      `You need the CHANGE_VALUE permission in environment ${environment.name} to change its feature groups`,
    );
  }
}

function checkName(raw: string): string {
  const name = raw.trim();
  if (name === '') throw new BadRequestError('a feature group needs a name');
  if (name.length > MAX_FEATURE_GROUP_NAME_LENGTH) {
    throw new BadRequestError(`a feature group name has at most ${MAX_FEATURE_GROUP_NAME_LENGTH} characters`);
  }
  return name;
}

function checkDescription(raw: string | null | undefined): string | null {
  if (raw === null || raw === undefined) return null;
  if (raw.length > MAX_FEATURE_GROUP_DESCRIPTION_LENGTH) {
    throw new BadRequestError(
      `a feature group description has at most ${MAX_FEATURE_GROUP_DESCRIPTION_LENGTH} characters`,
    );
  }
  return raw;
}

function checkOrder(order: number): number {
  if (!Number.isSafeInteger(order) || order < 0 || order > 2_000_000_000) {
    throw new BadRequestError(
      `the order of a feature group must be a whole number from 0 to 2000000000, not ${order}`,
    );
  }
  return order;
}

/** Normalised strategies (ids given where missing), refused (422) when one breaks the rules. */
function checkStrategies(raw: GroupRolloutStrategy[] | null | undefined): unknown[] {
  if (!raw || raw.length === 0) return [];
  const { customStrategies } = requireValidRolloutStrategies({
    customStrategies: raw.map((s) => ({ ...s })),
  });
  // A group's strategy carries no value of its own: each member serves its member value.
  return customStrategies.map(({ value: _value, ...rest }) => rest);
}

function toMembers(
  input: readonly MemberInput[],
  features: ReadonlyMap<string, Feature>,
): FeatureGroupMember[] {
  const seen = new Set<string>();
  return input.map((m) => {
    if (seen.has(m.featureId)) {
      throw new BadRequestError(
        `feature ${m.featureId} is listed twice; a feature is a member of a group once`,
      );
    }
    seen.add(m.featureId);
    const feature = features.get(m.featureId);
    if (!feature)
      throw new BadRequestError(`feature ${m.featureId} is not a live feature of this application`);
    return {
      featureId: feature.id,
      value: toStoredValue(feature.valueType, m.value, `value of ${feature.key}`),
    };
  });
}

function refuseLocked(
  featureIds: readonly string[],
  values: ReadonlyMap<string, FeatureValue>,
  features: ReadonlyMap<string, Feature>,
  what: string,
): void {
  const locked = featureIds.filter((id) => values.get(id)?.locked === true);
  if (locked.length === 0) return;
  const keys = locked.map((id) => features.get(id)?.key ?? id).sort();
  throw new BadRequestError(
    `locked features cannot be ${what}: ${keys.join(', ')}; unlock them in this environment first`,
    'feature_value_locked',
  );
}

async function featuresById(tx: Stores, applicationId: string): Promise<Map<string, Feature>> {
  return new Map((await tx.features.list({ applicationId })).map((f) => [f.id, f]));
}

async function valuesOf(tx: Stores, environmentId: string): Promise<Map<string, FeatureValue>> {
  return new Map((await tx.featureValues.list({ environmentId })).map((v) => [v.featureId, v]));
}

/**
 * Members with no value in the environment get one (as upstream): unlocked, flags false, others unset, so the
 * group's strategy has a value to travel with.
 */
async function ensureValues(
  tx: Stores,
  changes: ChangeSet,
  who: FeatureGroupActor,
  environmentId: string,
  members: readonly FeatureGroupMember[],
  features: ReadonlyMap<string, Feature>,
  values: Map<string, FeatureValue>,
): Promise<void> {
  for (const m of members) {
    if (values.has(m.featureId)) continue;
    const feature = features.get(m.featureId)!;
    const created = await tx.featureValues.create({
      environmentId,
      featureId: m.featureId,
      value: feature.valueType === 'BOOLEAN' ? 'false' : null,
      locked: false,
      whoUpdated: who.personId,
    });
    values.set(m.featureId, created);
    changes.featureValueChanged(environmentId, m.featureId);
  }
}

/**
 * Saves a new version of each feature value the group's change alters (nothing else in it changes), so caches,
 * which keep the newest version they have seen, take the republished value with its new group strategies.
 */
async function republish(
  tx: Stores,
  changes: ChangeSet,
  who: FeatureGroupActor,
  environmentId: string,
  featureIds: readonly string[],
  values: Map<string, FeatureValue>,
): Promise<void> {
  for (const featureId of new Set(featureIds)) {
    const value = values.get(featureId);
    if (!value) continue;
    const bumped = await tx.featureValues.update(value.id, {
      version: value.version,
      whoUpdated: who.personId,
    });
    values.set(featureId, bumped);
    changes.featureValueChanged(environmentId, featureId);
  }
}

async function view(tx: Stores, group: FeatureGroup): Promise<FeatureGroupView> {
  const environment = await tx.environments.findById(group.environmentId, { includeArchived: true });
  if (!environment) throw new NotFoundError(`feature group ${group.id} not found`);
  const features = await featuresById(tx, group.applicationId);
  const values = await valuesOf(tx, group.environmentId);
  return { group, environment, features, values };
}
