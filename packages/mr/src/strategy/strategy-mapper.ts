import type {
  ApplicationRolloutStrategy as ApiApplicationRolloutStrategy,
  RolloutStrategy as ApiRolloutStrategy,
  ListApplicationRolloutStrategyItem,
  RolloutStrategyAttribute,
} from '../api/index.ts';
import type { ApplicationStrategy } from './application-strategy-store.ts';

/**
 * What an application strategy stores as its JSON body: the evaluable part plus UI data. The name
 * and the code live in their own columns. This is also what the cache publisher reads.
 */
export interface ApplicationStrategyBody {
  percentage?: number | null;
  percentageAttributes?: string[] | null;
  attributes?: RolloutStrategyAttribute[] | null;
  colouring?: number | null;
  avatar?: string | null;
  disabled?: boolean;
}

/** The stored body, read defensively: the JSON column may hold anything an older version wrote. */
export function strategyBody(strategy: ApplicationStrategy): ApplicationStrategyBody {
  const raw = strategy.strategy;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return {};
  const b = raw as Record<string, unknown>;
  const out: ApplicationStrategyBody = {};
  if (typeof b.percentage === 'number' || b.percentage === null) out.percentage = b.percentage;
  if (Array.isArray(b.percentageAttributes)) {
    out.percentageAttributes = b.percentageAttributes.filter((a): a is string => typeof a === 'string');
  }
  if (Array.isArray(b.attributes)) out.attributes = b.attributes as RolloutStrategyAttribute[];
  if (typeof b.colouring === 'number' || b.colouring === null) out.colouring = b.colouring;
  if (typeof b.avatar === 'string' || b.avatar === null) out.avatar = b.avatar;
  if (typeof b.disabled === 'boolean') out.disabled = b.disabled;
  return out;
}

/** The API shape of an application strategy. */
export function toApiApplicationStrategy(strategy: ApplicationStrategy): ApiApplicationRolloutStrategy {
  const body = strategyBody(strategy);
  const out: ApiApplicationRolloutStrategy = {
    id: strategy.id,
    name: strategy.name,
    disabled: body.disabled ?? false,
    attributes: body.attributes ?? [],
    percentageAttributes: body.percentageAttributes ?? [],
  };
  if (body.percentage !== undefined && body.percentage !== null) out.percentage = body.percentage;
  if (body.colouring !== undefined && body.colouring !== null) out.colouring = body.colouring;
  if (body.avatar !== undefined && body.avatar !== null) out.avatar = body.avatar;
  return out;
}

/** The strategy as the shared validator sees it (a custom strategy without a value). */
export function asRolloutStrategy(name: string, body: ApplicationStrategyBody): ApiRolloutStrategy {
  const out: ApiRolloutStrategy = { name, attributes: body.attributes ?? [] };
  if (body.percentage !== undefined) out.percentage = body.percentage;
  if (body.percentageAttributes !== undefined) out.percentageAttributes = body.percentageAttributes;
  return out;
}

export interface StrategyUsage {
  environmentId: string;
  environmentName: string;
  featuresCount: number;
}

/** One item of `ApplicationRolloutStrategyList`. */
export function toListItem(
  strategy: ApplicationStrategy,
  extras: {
    /** no email when the person who changed it is unknown */
    updatedBy?: { email?: string; name: string | null } | undefined;
    usage?: readonly StrategyUsage[] | undefined;
  },
): ListApplicationRolloutStrategyItem {
  const item: ListApplicationRolloutStrategyItem = {
    strategy: toApiApplicationStrategy(strategy),
    whenCreated: strategy.whenCreated.toISOString(),
    whenUpdated: strategy.whenUpdated.toISOString(),
    uniqueCode: strategy.code,
  };
  if (extras.updatedBy) {
    const { email, name } = extras.updatedBy;
    item.updatedBy = email === undefined ? { name } : { email, name };
  }
  if (extras.usage) {
    item.usage = extras.usage.map((u) => ({
      id: u.environmentId,
      name: u.environmentName,
      featuresCount: u.featuresCount,
    }));
  }
  return item;
}
