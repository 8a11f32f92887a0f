import { BadRequestError } from '@fh/service-kit';
import type { Stores } from '../db/stores.ts';

// What other slices read about feature filters: checking the filters a feature or service account is given.

/**
 * The filter ids a feature or service account is to carry, checked: each must be a filter of the portfolio.
 * Null/undefined means "none"; duplicates are dropped; the result is sorted.
 */
export async function checkedFilterIds(
  tx: Pick<Stores, 'featureFilters'>,
  portfolioId: string,
  ids: readonly string[] | null | undefined,
): Promise<string[]> {
  const unique = [...new Set(ids ?? [])].sort();
  for (const id of unique) {
    const filter = await tx.featureFilters.findById(id);
    if (!filter || filter.portfolioId !== portfolioId)
      throw new BadRequestError(`feature filter ${id} is not a filter of this portfolio`);
  }
  return unique;
}
