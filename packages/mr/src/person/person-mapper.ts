import type {
  AnemicPerson as ApiAnemicPerson,
  Group as ApiGroup,
  Person as ApiPerson,
  SearchPerson as ApiSearchPerson,
} from '../api/index.ts';
import type { Person } from './person-store.ts';

/** What a Person answer may carry besides the person; omitted parts are left out of the body. */
export interface PersonExtras {
  groups?: ApiGroup[];
  whenLastSeen?: Date | null;
}

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

/** The API Person of a domain person. Password hashes and registration tokens never leave MR this way. */
export function toApiPerson(person: Person, extras: PersonExtras = {}): ApiPerson {
  return {
    id: { id: person.id },
    name: person.name,
    email: person.email,
    personType: person.personType,
    version: person.version,
    passwordRequiresReset: person.passwordRequiresReset,
    whenArchived: iso(person.whenArchived),
    whenLastAuthenticated: iso(person.whenLastAuthenticated),
    ...(extras.whenLastSeen !== undefined ? { whenLastSeen: iso(extras.whenLastSeen) } : {}),
    ...(extras.groups ? { groups: extras.groups } : {}),
    additional: [],
  };
}

/** The short form other slices embed (who changed what). Unnamed people show their email. */
export function toApiAnemicPerson(person: Person): ApiAnemicPerson {
  return { id: person.id, name: person.name ?? person.email, email: person.email, type: person.personType };
}

/** One row of the people list when groups are counted. */
export function toApiSearchPerson(
  person: Person,
  extras: { groupCount: number; whenLastSeen?: Date | null },
): ApiSearchPerson {
  return {
    id: person.id,
    name: person.name ?? '',
    email: person.email,
    version: person.version,
    personType: person.personType,
    whenLastAuthenticated: iso(person.whenLastAuthenticated),
    whenLastSeen: iso(extras.whenLastSeen),
    whenDeactivated: iso(person.whenArchived),
    groupCount: extras.groupCount,
  };
}
