import type { PERSON_TYPES } from '@fh/contracts';

/** person = a human; serviceAccount = an admin API account; sdkServiceAccount = an SDK account's shadow. */
export type PersonType = (typeof PERSON_TYPES)[number];

export interface Person {
  id: string;
  /** always lower case */
  email: string;
  name: string | null;
  personType: PersonType;
  passwordHash: string | null;
  passwordAlgorithm: string | null;
  passwordRequiresReset: boolean;
  /** outstanding registration token (shown to admins again until used) */
  registrationToken: string | null;
  registrationTokenExpiry: Date | null;
  whenLastAuthenticated: Date | null;
  createdBy: string | null;
  changedBy: string | null;
  version: number;
  whenCreated: Date;
  whenUpdated: Date;
  /** set while deactivated */
  whenArchived: Date | null;
}

export interface CreatePerson {
  email: string;
  name?: string | null;
  personType?: PersonType;
  passwordHash?: string | null;
  passwordAlgorithm?: string | null;
  passwordRequiresReset?: boolean;
  registrationToken?: string | null;
  registrationTokenExpiry?: Date | null;
  createdBy?: string | null;
}

/** Missing fields stay unchanged, null clears; `version`, when given, must match. */
export interface UpdatePerson {
  email?: string;
  name?: string | null;
  passwordHash?: string | null;
  passwordAlgorithm?: string | null;
  passwordRequiresReset?: boolean;
  registrationToken?: string | null;
  registrationTokenExpiry?: Date | null;
  whenLastAuthenticated?: Date | null;
  changedBy?: string | null;
  version?: number;
}

export interface PersonQuery {
  /** case-insensitive substring of name or email */
  search?: string;
  personTypes?: readonly PersonType[];
  ids?: readonly string[];
  includeArchived?: boolean;
  /** default: by name then email; activationStatus = active people first, then by name */
  orderBy?: 'name' | 'email' | 'whenCreated' | 'activationStatus';
  descending?: boolean;
  offset?: number;
  limit?: number;
}

export interface PersonStore {
  /** @throws ConflictError (code duplicate_email) when any person, even deactivated, has the email */
  create(input: CreatePerson): Promise<Person>;
  findById(id: string, options?: { includeArchived?: boolean }): Promise<Person | undefined>;
  findByEmail(email: string, options?: { includeArchived?: boolean }): Promise<Person | undefined>;
  findByRegistrationToken(token: string): Promise<Person | undefined>;
  /** one page plus the total count of matches */
  list(query: PersonQuery): Promise<{ persons: Person[]; total: number }>;
  /** Works on deactivated persons too. */
  update(id: string, patch: UpdatePerson): Promise<Person>;
  /** Deactivates: archives the person, ends all their sessions and drops their group memberships. */
  archive(id: string, options?: { keepGroups?: boolean }): Promise<Person>;
  /** Reactivates a deactivated person. */
  unarchive(id: string): Promise<Person>;
}
