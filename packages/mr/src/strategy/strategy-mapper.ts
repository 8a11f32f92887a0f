import type {
  ApplicationRolloutStrategy as ApiApplicationRolloutStrategy,
  ApplicationRolloutStrategyList,
  CreateApplicationRolloutStrategy,
  ListApplicationRolloutStrategyItem,
  RolloutStrategyValidationRequest,
  UpdateApplicationRolloutStrategy,
} from '../api/index.ts';
import { strategyBody } from './application-strategy-body.ts';
import type { ApplicationStrategy } from './application-strategy-store.ts';
import type { RolloutStrategyValidationInput } from './rollout-strategy-validation.ts';
import type {
  ApplicationStrategyChanges,
  NewApplicationStrategy,
  StrategyListItem,
  StrategyListPage,
} from './strategy-service.ts';

/** The parts of a strategy both bodies carry, as sent: a missing part stays missing. */
function strategyParts(body: CreateApplicationRolloutStrategy | UpdateApplicationRolloutStrategy) {
  return {
    percentage: body.percentage,
    percentageAttributes: body.percentageAttributes,
    attributes: body.attributes,
    colouring: body.colouring,
    avatar: body.avatar,
  };
}

/** A CreateApplicationRolloutStrategy body as a new strategy (no name: a blank one, which is refused). */
export function toNewApplicationStrategy(body: CreateApplicationRolloutStrategy): NewApplicationStrategy {
  return { name: body.name ?? '', ...strategyParts(body), disabled: body.disabled };
}

/** An UpdateApplicationRolloutStrategy body as changes: what it leaves out stays, null clears. */
export function toApplicationStrategyChanges(
  body: UpdateApplicationRolloutStrategy,
): ApplicationStrategyChanges {
  return { name: body.name, ...strategyParts(body), disabled: body.disabled };
}

/** The strategies a RolloutStrategyValidationRequest asks to check together. */
export function toValidationInput(
  body: RolloutStrategyValidationRequest,
): Pick<RolloutStrategyValidationInput, 'customStrategies' | 'sharedStrategies'> {
  return { customStrategies: body.customStrategies ?? [], sharedStrategies: body.sharedStrategies ?? [] };
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

/** A page of strategies as `ApplicationRolloutStrategyList` (`max` = how many match in all). */
export function toApiStrategyList(page: StrategyListPage): ApplicationRolloutStrategyList {
  return { max: page.total, page: page.page, items: page.items.map(toListItem) };
}

/** One item of `ApplicationRolloutStrategyList`. */
function toListItem(extras: StrategyListItem): ListApplicationRolloutStrategyItem {
  const { strategy } = extras;
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
