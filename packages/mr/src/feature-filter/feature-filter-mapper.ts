import type {
  AnemicPerson,
  FeatureFilter as ApiFeatureFilter,
  MatchingFilterResult,
  SearchFeatureFilterItem,
} from '../api/index.ts';
import { toApiAnemicPerson } from '../person/person-mapper.ts';
import type { Person } from '../person/person-store.ts';
import type { FilterDetails, MatchingResult } from './feature-filter-service.ts';
import type { FeatureFilter } from './feature-filter-store.ts';

function whoCreated(person: Person | undefined): AnemicPerson | null {
  return person ? toApiAnemicPerson(person) : null;
}

/** A filter as the admin API shows it; `whoCreated` when the creator is known. */
export function toApiFeatureFilter(filter: FeatureFilter, creator?: Person): ApiFeatureFilter {
  return {
    id: filter.id,
    name: filter.name,
    description: filter.description,
    version: filter.version,
    whoCreated: whoCreated(creator),
  };
}

/** A search hit: id, name and version only, unless details were asked for. */
export function toApiSearchItem(
  details: FilterDetails,
  creator: Person | undefined,
  includeDetails: boolean,
): SearchFeatureFilterItem {
  const { filter } = details;
  if (!includeDetails) return { id: filter.id, name: filter.name, version: filter.version };
  return {
    ...toApiFeatureFilter(filter, creator),
    serviceAccounts: details.serviceAccounts ?? [],
    applications: details.applications ?? [],
  };
}

export function toApiMatchingResult(result: MatchingResult): MatchingFilterResult {
  return {
    id: result.id,
    name: result.name,
    description: result.description,
    matchingFilters: result.matchingFilters,
  };
}
