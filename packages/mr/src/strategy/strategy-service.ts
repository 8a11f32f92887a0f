import { ConflictError, ForbiddenError, NotFoundError } from '@fh/service-kit';
import { applicationOf } from '../application/application-read-model.ts';
import type { Application } from '../application/application-store.ts';
import { randomAlphanumeric } from '../auth/tokens.ts';
import type { Stores } from '../db/stores.ts';
import { featureValuesUsingStrategy, liveFeatureValues } from '../feature-value/feature-value-read-model.ts';
import type { Access } from '../permission/access.ts';
import { personsById } from '../person/person-read-model.ts';
import type { ChangeSet } from '../publishing/change-set.ts';
import {
  type ApplicationStrategyBody,
  asRolloutStrategy,
  strategyBody,
} from './application-strategy-body.ts';
import type { ApplicationStrategy } from './application-strategy-store.ts';
import {
  InvalidRolloutStrategiesError,
  normaliseRolloutStrategies,
  type RolloutStrategyValidation,
  type RolloutStrategyValidationInput,
  strategyViolations,
  validateRolloutStrategies,
} from './rollout-strategy-validation.ts';

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

/** A new application strategy; the parts left out are empty (no percentage, no attributes, enabled). */
export interface NewApplicationStrategy extends ApplicationStrategyBody {
  name: string;
}

/**
 * A partial update: missing fields stay unchanged; null clears the optional parts (not the name nor
 * `disabled`).
 */
export interface ApplicationStrategyChanges {
  name?: string | null | undefined;
  percentage?: ApplicationStrategyBody['percentage'] | undefined;
  percentageAttributes?: ApplicationStrategyBody['percentageAttributes'] | undefined;
  attributes?: ApplicationStrategyBody['attributes'] | undefined;
  colouring?: ApplicationStrategyBody['colouring'] | undefined;
  avatar?: ApplicationStrategyBody['avatar'] | undefined;
  disabled?: boolean | null | undefined;
}

/** In how many of an environment's values live features use a strategy. */
export interface StrategyUsage {
  environmentId: string;
  environmentName: string;
  featuresCount: number;
}

/** One strategy of a list, with who changed it last and (when asked) where it is used. */
export interface StrategyListItem {
  strategy: ApplicationStrategy;
  /** no email when the person who changed it is unknown */
  updatedBy: { email?: string; name: string | null };
  usage?: StrategyUsage[];
}

/** A page of an application's strategies. */
export interface StrategyListPage {
  /** how many strategies match, over all pages */
  total: number;
  page: number;
  items: StrategyListItem[];
}

/** What editing and deleting a strategy reads and writes: the strategy and the values using it. */
type StrategyStores = Pick<
  Stores,
  'applications' | 'environments' | 'features' | 'featureValues' | 'strategies'
>;

/**
 * Application strategies (docs/admin-api-rules.md §Rollout strategies): rules shared by the feature
 * values of one application, each attached with its own value. Editing one bumps every feature value
 * that uses it (new version, history row, republish); deleting one detaches it from them the same way.
 */
export class StrategyService {
  constructor(private readonly random: (length: number) => string = randomAlphanumeric) {}

  async list(
    tx: Pick<
      Stores,
      'applications' | 'environments' | 'features' | 'featureValues' | 'persons' | 'strategies'
    >,
    actor: StrategyActor,
    applicationId: string,
    query: StrategyListQuery,
  ): Promise<StrategyListPage> {
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
    const people = await personsById(
      tx,
      strategies.map((s) => s.whoChanged),
    );
    return {
      total,
      page,
      items: strategies.map((s) => {
        const who = s.whoChanged ? people.get(s.whoChanged) : undefined;
        return {
          strategy: s,
          updatedBy: who ? { email: who.email, name: who.name } : { name: null },
          ...(usage ? { usage: usage.get(s.id) ?? [] } : {}),
        };
      }),
    };
  }

  async get(
    tx: Pick<Stores, 'applications' | 'strategies'>,
    actor: StrategyActor,
    applicationId: string,
    strategyId: string,
  ): Promise<ApplicationStrategy> {
    const app = await readableApplication(tx, actor, applicationId);
    return strategyOf(tx, app, strategyId);
  }

  async create(
    tx: Pick<Stores, 'applications' | 'strategies'>,
    actor: StrategyActor,
    applicationId: string,
    input: NewApplicationStrategy,
  ): Promise<ApplicationStrategy> {
    const app = await applicationOf(tx, applicationId);
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
    const { name, body: valid } = this.#validated(input.name, body);
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
    tx: StrategyStores,
    changes: ChangeSet,
    actor: StrategyActor,
    applicationId: string,
    strategyId: string,
    patch: ApplicationStrategyChanges,
  ): Promise<ApplicationStrategy> {
    const app = await applicationOf(tx, applicationId);
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
    for (const value of await featureValuesUsingStrategy(tx, app.id, current.id)) {
      await tx.featureValues.update(value.id, { version: value.version, whoUpdated: actor.personId });
      changes.featureValueChanged(value.environmentId, value.featureId);
    }
    return updated;
  }

  async delete(
    tx: StrategyStores,
    changes: ChangeSet,
    actor: StrategyActor,
    applicationId: string,
    strategyId: string,
  ): Promise<void> {
    const app = await applicationOf(tx, applicationId);
    if (!actor.access.canDeleteApplicationStrategy(app)) {
      throw new ForbiddenError(
        'You need FEATURE_CREATE, FEATURE_EDIT, FEATURE_EDIT_AND_DELETE or APP_STRATEGY_EDIT_AND_DELETE on this application',
      );
    }
    const current = await strategyOf(tx, app, strategyId);
    // Detach through the value store first, so every affected value gets a version and a history row.
    for (const value of await featureValuesUsingStrategy(tx, app.id, current.id)) {
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
    tx: Pick<Stores, 'applications'>,
    actor: StrategyActor,
    applicationId: string,
    strategies: Pick<RolloutStrategyValidationInput, 'customStrategies' | 'sharedStrategies'>,
  ): Promise<RolloutStrategyValidation['response']> {
    await readableApplication(tx, actor, applicationId);
    return validateRolloutStrategies(strategies).response;
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

/** Admins and anyone who may read the application's features may read its strategies. */
async function readableApplication(
  tx: Pick<Stores, 'applications'>,
  actor: StrategyActor,
  applicationId: string,
) {
  const app = await applicationOf(tx, applicationId);
  if (!actor.access.canReadApplication(app)) {
    throw new ForbiddenError('You have no access to this application');
  }
  return app;
}

async function strategyOf(
  tx: Pick<Stores, 'strategies'>,
  app: Application,
  strategyId: string,
): Promise<ApplicationStrategy> {
  const strategy = await tx.strategies.findById(strategyId);
  if (!strategy || strategy.applicationId !== app.id) {
    throw new NotFoundError(`application strategy ${strategyId} not found in application ${app.id}`);
  }
  return strategy;
}

/** Per strategy: the environments where live features use it, with how many. */
async function usageOf(
  tx: Pick<Stores, 'environments' | 'features' | 'featureValues'>,
  applicationId: string,
): Promise<Map<string, StrategyUsage[]>> {
  const { environments, values } = await liveFeatureValues(tx, applicationId);
  const out = new Map<string, StrategyUsage[]>();
  for (const env of environments) {
    const counts = new Map<string, number>();
    for (const v of values) {
      if (v.environmentId !== env.id) continue;
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
