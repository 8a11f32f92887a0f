import type { Stores } from '../db/stores.ts';
import type { Person } from './person-store.ts';

// What other slices read about persons: who changed something, looked up by id.

/** Persons by id (deactivated ones too), in one query; null ids are skipped. */
export async function personsById(
  stores: Pick<Stores, 'persons'>,
  ids: Iterable<string | null>,
): Promise<Map<string, Person>> {
  const wanted = [...new Set([...ids].filter((id): id is string => id !== null))];
  if (wanted.length === 0) return new Map();
  const { persons } = await stores.persons.list({ ids: wanted, includeArchived: true, limit: wanted.length });
  return new Map(persons.map((p) => [p.id, p]));
}
