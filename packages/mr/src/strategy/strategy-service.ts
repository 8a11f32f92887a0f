import { ConflictError, ForbiddenError, NotFoundError } from '@fh/service-kit';
import type {
  ApplicationRolloutStrategyList,
  CreateApplicationRolloutStrategy,
  RolloutStrategyValidationRequest,
  RolloutStrategyValidationResponse,
  UpdateApplicationRolloutStrategy,
} from '../api/index.ts';
import type { Application } from '../application/application-store.ts';
import { randomAlphanumeric } from '../auth/tokens.ts';
import type { Stores } from '../db/stores.ts';
import type { FeatureValue } from '../feature-value/feature-value-store.ts';
import type { Access } from '../permission/access.ts';
import type { ChangeSet } from '../publishing/change-set.ts';
import type { ApplicationStrategy } from './application-strategy-store.ts';
import {
  InvalidRolloutStrategiesError,
  normaliseRolloutStrategies,
  strategyViolations,
  validateRolloutStrategies,
} from './rollout-strategy-validation.ts';
import {
  type ApplicationStrategyBody,
  asRolloutStrategy,
  type StrategyUsage,
  strategyBody,
  toListItem,
} from './strategy-mapper.ts';

/** The database column holds at most this many characters of a strategy name. */
export const MAX_APPLICATION_STRATEGY_NAME_LENGTH = 150;

/** Who is acting, and what they may do. */
export interface StrategyActor {
  personId: string;
  access: Access;
}

export interface StrategyListQuery {
  includeArchived?: boolean | undefined;
  filter?: string | undefined;
  sortOrder?: 'ASC' | 'DESC' | undefined;
  /** page size; absent = everything on one page */
  max?: number | undefined;
  /** 0-based */
  page?: number | undefined;
  /** accepted for compatibility: as upstream, every item carries who changed it last anyway */
  includeWhoChanged?: boolean | undefined;
  /** per environment, how many feature values use each strategy (reads every value of the application) */
  includeUsage?: boolean | undefined;
}

/**
 * Application strategies (inventory §1.7 item 2): rules shared by the feature values of one
 * application, each attached with its own value. Editing one bumps every feature value that uses it
 * (new version, history row, republish); deleting one detaches it from them the same way.
 */
export class StrategyService {
  constructor(private readonly random: (length: number) => string = randomAlphanumeric) {}

  async list(
    tx: Stores,
    actor: StrategyActor,
    applicationId: string,
    query: StrategyListQuery,
  ): Promise<ApplicationRolloutStrategyList> {
    const app = await readableApplication(tx, actor, applicationId);
    let strategies = await tx.strategies.list({
      applicationId: app.id,
      ...(query.includeArchived ? { includeArchived: true } : {}),
    });
    const needle = query.filter?.trim().toLowerCase();
    if (needle) strategies = strategies.filter((s) => s.name.toLowerCase().includes(needle));
    strategies.sort((a, b) => compareNames(a.name, b.name) * (query.sortOrder === 'DESC' ? -1 : 1));
    const total = strategies.length;
    const page = Math.max(0, query.page ?? 0);
    if (query.max !== undefined) {
      const max = Math.max(1, query.max);
      strategies = strategies.slice(page * max, page * max + max);
    }
    const usage = query.includeUsage ? await usageOf(tx, app.id) : undefined;
    // Upstream fills `updatedBy` on every item whatever includeWhoChanged says; clients read it unguarded.
    const people = await whoChanged(tx, strategies);
    return {
      max: total,
      page,
      items: strategies.map((s) =>
        toListItem(s, {
          updatedBy: (s.whoChanged ? people.get(s.whoChanged) : undefined) ?? { name: null },
          usage: usage ? (usage.get(s.id) ?? []) : undefined,
        }),
      ),
    };
  }

  async get(tx: Stores, actor: StrategyActor, applicationId: string, strategyId: string) {
    const app = await readableApplication(tx, actor, applicationId);
    return strategyOf(tx, app, strategyId);
  }

  async create(
    tx: Stores,
    actor: StrategyActor,
    applicationId: string,
    input: CreateApplicationRolloutStrategy,
  ): Promise<ApplicationStrategy> {
    const app = await existingApplication(tx, applicationId);
    if (!actor.access.canCreateApplicationStrategy(app)) {
      throw new ForbiddenError(
        'You need FEATURE_CREATE, FEATURE_EDIT, FEATURE_EDIT_AND_DELETE or APP_STRATEGY_CREATE on this application',
      );
    }
    const body: ApplicationStrategyBody = {
      percentage: input.percentage ?? null,
      percentageAttributes: input.percentageAttributes ?? [],
      attributes: input.attributes ?? [],
      colouring: input.colouring ?? null,
      avatar: input.avatar ?? null,
      disabled: input.disabled ?? false,
    };
    const { name, body: valid } = this.#validated(input.name ?? '', body);
    const live = await tx.strategies.list({ applicationId: app.id, includeArchived: true });
    assertNameFree(live, name);
    const codes = new Set(live.map((s) => s.code));
    let code = `@${this.random(3)}`;
    while (codes.has(code)) code = `@${this.random(3)}`;
    return tx.strategies.create({
      applicationId: app.id,
      name,
      code,
      strategy: valid,
      whoChanged: actor.personId,
    });
  }

  async update(
    tx: Stores,
    changes: ChangeSet,
    actor: StrategyActor,
    applicationId: string,
    strategyId: string,
    patch: UpdateApplicationRolloutStrategy,
  ): Promise<ApplicationStrategy> {
    const app = await existingApplication(tx, applicationId);
    if (!actor.access.canEditApplicationStrategy(app)) {
      throw new ForbiddenError(
        'You need FEATURE_CREATE, FEATURE_EDIT, FEATURE_EDIT_AND_DELETE or APP_STRATEGY_EDIT on this application',
      );
    }
    const current = await strategyOf(tx, app, strategyId);
    const before = strategyBody(current);
    // Missing means unchanged; null clears the optional parts (a name and `disabled` cannot be cleared).
    const merged: ApplicationStrategyBody = {
      ...before,
      ...(patch.percentage !== undefined ? { percentage: patch.percentage } : {}),
      ...(patch.percentageAttributes !== undefined
        ? { percentageAttributes: patch.percentageAttributes ?? [] }
        : {}),
      ...(patch.attributes !== undefined ? { attributes: patch.attributes ?? [] } : {}),
      ...(patch.colouring !== undefined ? { colouring: patch.colouring } : {}),
      ...(patch.avatar !== undefined ? { avatar: patch.avatar } : {}),
      ...(patch.disabled !== undefined && patch.disabled !== null ? { disabled: patch.disabled } : {}),
    };
    const { name, body } = this.#validated(patch.name ?? current.name, merged);
    if (name.toLowerCase() !== current.name.toLowerCase()) {
      assertNameFree(await tx.strategies.list({ applicationId: app.id }), name, current.id);
    }
    if (name === current.name && JSON.stringify(body) === JSON.stringify(strategyBody(current))) {
      return current;
    }
    const updated = await tx.strategies.update(current.id, {
      name,
      strategy: body,
      whoChanged: actor.personId,
    });
    for (const value of await valuesUsing(tx, app.id, current.id)) {
      await tx.featureValues.update(value.id, { version: value.version, whoUpdated: actor.personId });
      changes.featureValueChanged(value.environmentId, value.featureId);
    }
    return updated;
  }

  async delete(
    tx: Stores,
    changes: ChangeSet,
    actor: StrategyActor,
    applicationId: string,
    strategyId: string,
  ): Promise<void> {
    const app = await existingApplication(tx, applicationId);
    if (!actor.access.canDeleteApplicationStrategy(app)) {
      throw new ForbiddenError(
        'You need FEATURE_CREATE, FEATURE_EDIT, FEATURE_EDIT_AND_DELETE or APP_STRATEGY_EDIT_AND_DELETE on this application',
      );
    }
    const current = await strategyOf(tx, app, strategyId);
    // Detach through the value store first, so every affected value gets a version and a history row.
    for (const value of await valuesUsing(tx, app.id, current.id)) {
      await tx.featureValues.update(value.id, {
        version: value.version,
        strategyInstances: value.strategyInstances.filter((i) => i.strategyId !== current.id),
        whoUpdated: actor.personId,
      });
      changes.featureValueChanged(value.environmentId, value.featureId);
    }
    await tx.strategies.archive(current.id);
  }

  /** Checks custom and shared strategies together; violations are listed, never thrown. */
  async validate(
    tx: Stores,
    actor: StrategyActor,
    applicationId: string,
    request: RolloutStrategyValidationRequest,
  ): Promise<RolloutStrategyValidationResponse> {
    await readableApplication(tx, actor, applicationId);
    return validateRolloutStrategies({
      customStrategies: request.customStrategies ?? [],
      sharedStrategies: request.sharedStrategies ?? [],
    }).response;
  }

  /** Normalises (attribute ids, trimmed values) and validates; 422 with the violations otherwise. */
  #validated(
    rawName: string,
    body: ApplicationStrategyBody,
  ): { name: string; body: ApplicationStrategyBody } {
    const name = rawName.trim();
    const [normalised] = normaliseRolloutStrategies([asRolloutStrategy(name, body)], this.random);
    const strategy = normalised ?? asRolloutStrategy(name, body);
    // Unlike a value's own strategies, an application strategy may have no rules yet (upstream's validator allows
    // it): a named placeholder, published to nobody until it gets attributes or a percentage (cache-payloads.ts).
    const violations = strategyViolations(strategy).filter((v) => v.violation !== 'empty_match_criteria');
    if (
      name.length > MAX_APPLICATION_STRATEGY_NAME_LENGTH &&
      !violations.some((v) => v.violation === 'name_too_long')
    ) {
      violations.push({ violation: 'name_too_long' });
    }
    if (violations.length > 0) {
      throw new InvalidRolloutStrategiesError({
        customStategyViolations: [{ strategy, violations }],
        sharedStrategyViolations: [],
        violations: [],
      });
    }
    return { name, body: { ...body, attributes: strategy.attributes ?? [] } };
  }
}

function compareNames(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

function assertNameFree(strategies: readonly ApplicationStrategy[], name: string, selfId?: string): void {
  const lower = name.toLowerCase();
  if (strategies.some((s) => s.whenArchived === null && s.id !== selfId && s.name.toLowerCase() === lower)) {
    throw new ConflictError(`An application strategy named "${name}" already exists in this application`);
  }
}

async function existingApplication(tx: Stores, applicationId: string): Promise<Application> {
  const app = await tx.applications.findById(applicationId);
  if (!app) throw new NotFoundError(`application ${applicationId} not found`);
  return app;
}

/** Admins and anyone who may read the application's features may read its strategies. */
async function readableApplication(tx: Stores, actor: StrategyActor, applicationId: string) {
  const app = await existingApplication(tx, applicationId);
  if (!actor.access.canReadApplication(app)) {
    throw new ForbiddenError('You have no access to this application');
  }
  return app;
}

async function strategyOf(tx: Stores, app: Application, strategyId: string): Promise<ApplicationStrategy> {
  const strategy = await tx.strategies.findById(strategyId);
  if (!strategy || strategy.applicationId !== app.id) {
    throw new NotFoundError(`application strategy ${strategyId} not found in application ${app.id}`);
  }
  return strategy;
}

/** The values of live features in live environments of the application that attach the strategy. */
async function valuesUsing(tx: Stores, applicationId: string, strategyId: string): Promise<FeatureValue[]> {
  const environments = await tx.environments.list({ applicationId });
  if (environments.length === 0) return [];
  const features = new Set((await tx.features.list({ applicationId })).map((f) => f.id));
  const values = await tx.featureValues.list({ environmentIds: environments.map((e) => e.id) });
  return values.filter(
    (v) => features.has(v.featureId) && v.strategyInstances.some((i) => i.strategyId === strategyId),
  );
}

/** Per strategy: the environments where live features use it, with how many. */
async function usageOf(tx: Stores, applicationId: string): Promise<Map<string, StrategyUsage[]>> {
  const environments = await tx.environments.list({ applicationId });
  const out = new Map<string, StrategyUsage[]>();
  if (environments.length === 0) return out;
  const features = new Set((await tx.features.list({ applicationId })).map((f) => f.id));
  const values = await tx.featureValues.list({ environmentIds: environments.map((e) => e.id) });
  for (const env of environments) {
    const counts = new Map<string, number>();
    for (const v of values) {
      if (v.environmentId !== env.id || !features.has(v.featureId)) continue;
      for (const id of new Set(v.strategyInstances.map((i) => i.strategyId))) {
        counts.set(id, (counts.get(id) ?? 0) + 1);
      }
    }
    for (const [strategyId, featuresCount] of counts) {
      const list = out.get(strategyId) ?? [];
      list.push({ environmentId: env.id, environmentName: env.name, featuresCount });
      out.set(strategyId, list);
    }
  }
  return out;
}

async function whoChanged(
  tx: Stores,
  strategies: readonly ApplicationStrategy[],
): Promise<Map<string, { email: string; name: string | null }>> {
  const ids = [...new Set(strategies.map((s) => s.whoChanged).filter((id): id is string => id !== null))];
  const out = new Map<string, { email: string; name: string | null }>();
  if (ids.length === 0) return out;
  const { persons } = await tx.persons.list({ ids, includeArchived: true });
  for (const p of persons) out.set(p.id, { email: p.email, name: p.name });
  return out;
}
