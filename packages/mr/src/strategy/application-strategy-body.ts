import type { RolloutStrategyAttribute } from '../api/index.ts';
import type { ApplicationStrategy } from './application-strategy-store.ts';
import type { CustomRolloutStrategy } from './rollout-strategy-validation.ts';

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

/** The strategy as the shared validator sees it (a custom strategy without a value). */
export function asRolloutStrategy(name: string, body: ApplicationStrategyBody): CustomRolloutStrategy {
  const out: CustomRolloutStrategy = { name, attributes: body.attributes ?? [] };
  if (body.percentage !== undefined) out.percentage = body.percentage;
  if (body.percentageAttributes !== undefined) out.percentageAttributes = body.percentageAttributes;
  return out;
}
