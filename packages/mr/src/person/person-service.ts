import { randomUUID } from 'node:crypto';
import { BadRequestError, ConflictError, NotFoundError, StaleVersionError } from '@fh/service-kit';
import {
  ADMIN_TOKEN_LENGTH,
  newRegistrationToken,
  registrationUrlFor,
  startSession,
} from '../auth/auth-service.ts';
import type { Principal } from '../auth/principal.ts';
import type { MrSettings } from '../core/mr-context.ts';
import type { Clock } from '../db/store-support.ts';
import type { Stores } from '../db/stores.ts';
import {
  addGroupMember,
  canManageGroup,
  isSuperuserGroup,
  removeGroupMember,
  requireMayManagePerson,
} from '../group/admin-groups.ts';
import type { Group } from '../group/group-store.ts';
import type { Access } from '../permission/access.ts';
import type { Person, PersonQuery, PersonType } from './person-store.ts';

/** Where admin service accounts' synthetic emails live: `<uuid>@admin.sa.featurehub.io`. */
export const ADMIN_SERVICE_ACCOUNT_EMAIL_DOMAIN = 'admin.sa.featurehub.io';
export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export interface FindPeopleInput {
  filter?: string | undefined;
  order?: 'ASC' | 'DESC' | undefined;
  sortBy?: 'name' | 'activationStatus' | undefined;
  startAt?: number | undefined;
  pageSize?: number | undefined;
  personTypes?: readonly PersonType[] | undefined;
  includeDeactivated?: boolean | undefined;
}

export interface CreatePersonInput {
  email?: string | null | undefined;
  name?: string | null | undefined;
  personType: PersonType;
  groupIds?: readonly string[] | null | undefined;
}

/** What creating someone hands back: a registration link for a person, a bearer token for an account. */
export interface CreatedPerson {
  person: Person;
  token: string;
  registrationUrl?: string;
}

/** Missing fields stay unchanged; `groups` is the full desired list (of the groups the caller manages). */
export interface UpdatePersonInput {
  name?: string | null | undefined;
  email?: string | null | undefined;
  version: number;
  groups?: readonly string[] | null | undefined;
  unarchive?: boolean | null | undefined;
}

export interface PersonServiceDeps {
  clock: Clock;
  settings: Pick<MrSettings, 'siteUrl' | 'registrationTokenDays'>;
}

/** People, the groups they join and the sessions of admin service accounts. */
type PersonStores = Pick<Stores, 'groups' | 'persons' | 'sessions'>;

/**
 * People and admin service accounts (PersonService of the admin API; docs/admin-api-rules.md
 * §People and admin service accounts).
 */
export class PersonService {
  readonly #deps: PersonServiceDeps;

  constructor(deps: PersonServiceDeps) {
    this.#deps = deps;
  }

  /** One page of people for an admin. SDK shadow people are never listed. */
  async find(stores: PersonStores, access: Access, input: FindPeopleInput) {
    access.requireAnyAdmin();
    const startAt = input.startAt ?? 0;
    if (startAt < 0 || !Number.isSafeInteger(startAt)) {
      throw new BadRequestError('startAt must be a whole number from 0');
    }
    const pageSize = input.pageSize ?? DEFAULT_PAGE_SIZE;
    if (pageSize < 1) throw new BadRequestError('pageSize must be at least 1');
    const types = (input.personTypes?.length ? input.personTypes : ['person' as const]).filter(
      (t) => t !== 'sdkServiceAccount',
    );
    const query: PersonQuery = {
      personTypes: types,
      includeArchived: input.includeDeactivated ?? false,
      orderBy: input.sortBy === 'activationStatus' ? 'activationStatus' : 'name',
      descending: input.order === 'DESC',
      offset: startAt,
      limit: Math.min(pageSize, MAX_PAGE_SIZE),
      ...(input.filter?.trim() ? { search: input.filter.trim() } : {}),
    };
    return stores.persons.list(query);
  }

  /**
   * The outstanding registrations among `persons` the caller may hand out: a registration link lets
   * whoever holds it become that person (see requireMayManagePerson).
   */
  async outstandingRegistrations(stores: PersonStores, access: Access, persons: readonly Person[]) {
    const out: { id: string; token: string; expired: boolean }[] = [];
    for (const p of persons) {
      if (p.registrationToken === null || p.whenArchived !== null) continue;
      try {
        await requireMayManagePerson(stores, access, p.id);
      } catch {
        continue;
      }
      out.push({ id: p.id, token: p.registrationToken, expired: this.isExpired(p) });
    }
    return out;
  }

  /** Whether a registration token has run out. */
  isExpired(person: Person): boolean {
    const expiry = person.registrationTokenExpiry;
    return expiry !== null && expiry.getTime() < this.#deps.clock.now().getTime();
  }

  /**
   * An admin creates a person (who gets a registration link) or an admin service account (which gets
   * its bearer token, shown only now). Re-creating a deactivated person's email reactivates them with
   * a new link. Groups the caller does not administer are skipped.
   */
  async create(tx: PersonStores, access: Access, input: CreatePersonInput): Promise<CreatedPerson> {
    access.requireAnyAdmin();
    const groups = await this.#manageableGroups(tx, access, input.groupIds ?? []);
    let created: CreatedPerson;
    if (input.personType === 'serviceAccount') {
      created = await this.#createServiceAccount(tx, access, input);
    } else if (input.personType === 'person') {
      created = await this.#createPerson(tx, access, input);
    } else {
      throw new BadRequestError('SDK service account people are created with their service account');
    }
    for (const g of groups) await addGroupMember(tx, g, created.person.id);
    return created;
  }

  /**
   * One person: yourself (`self` works too) or, for an admin, anyone. As upstream, the id may also be an email
   * address (active people only); any other id is not found (404).
   */
  async get(stores: PersonStores, access: Access, principal: Principal, idOrSelf: string): Promise<Person> {
    const id = idOrSelf === 'self' ? principal.personId : idOrSelf;
    if (!UUID.test(id)) return this.#getByEmail(stores, access, principal, id);
    if (id !== principal.personId) access.requireAnyAdmin();
    const person = await stores.persons.findById(id, { includeArchived: true });
    if (!person) throw new NotFoundError(`person ${id} not found`);
    return person;
  }

  /** The admin check comes first, so that someone who is no admin cannot probe which emails are taken. */
  async #getByEmail(stores: PersonStores, access: Access, principal: Principal, id: string): Promise<Person> {
    const email = id.trim().toLowerCase();
    if (email !== principal.email.toLowerCase()) access.requireAnyAdmin();
    const person = email.includes('@') ? await stores.persons.findByEmail(email) : undefined;
    if (!person) throw new NotFoundError(`person ${id} not found`);
    return person;
  }

  /**
   * Updates a person: yourself, or anyone for an admin. A changed email and reactivation count as
   * managing the person (requireMayManagePerson); memberships change only in groups the caller
   * administers. The version must be current (422).
   */
  async update(tx: PersonStores, access: Access, id: string, input: UpdatePersonInput): Promise<Person> {
    const self = id === access.personId;
    if (!self) access.requireAnyAdmin();
    const person = await tx.persons.findById(id, { includeArchived: true });
    if (!person) throw new NotFoundError(`person ${id} not found`);
    if (person.personType === 'sdkServiceAccount') {
      throw new BadRequestError('The person of an SDK service account cannot be edited');
    }
    if (person.version !== input.version) {
      throw new StaleVersionError(`person ${id} is at version ${person.version}, not ${input.version}`);
    }
    const name = input.name === undefined || input.name === null ? undefined : input.name.trim();
    if (name === '') throw new BadRequestError('The name must not be blank');
    const email =
      input.email === undefined || input.email === null ? undefined : input.email.trim().toLowerCase();
    const emailChanges = email !== undefined && email !== person.email;
    if (emailChanges && person.personType !== 'person') {
      throw new BadRequestError('The email of an admin service account cannot be changed');
    }
    const reactivate = input.unarchive === true && person.whenArchived !== null;
    if (!self && (emailChanges || reactivate)) await requireMayManagePerson(tx, access, id);

    const updated = await tx.persons.update(id, {
      ...(name !== undefined ? { name } : {}),
      ...(emailChanges ? { email } : {}),
      changedBy: access.personId,
      version: input.version,
    });
    if (input.groups !== undefined && input.groups !== null) {
      await this.#setGroups(tx, access, id, input.groups);
    }
    return reactivate ? tx.persons.unarchive(id) : updated;
  }

  /** A superuser deactivates someone else: archived, sessions ended, optionally out of all groups. */
  async deactivate(tx: PersonStores, access: Access, id: string, options: { removeFromGroups: boolean }) {
    access.requireSuperuser();
    if (id === access.personId) throw new BadRequestError('You cannot deactivate yourself');
    const person = await tx.persons.findById(id);
    if (!person || person.personType === 'sdkServiceAccount') {
      throw new NotFoundError(`person ${id} not found`);
    }
    await tx.persons.archive(id, { keepGroups: !options.removeFromGroups });
    return true;
  }

  /** A new bearer token for an admin service account; its old sessions end. */
  async resetToken(tx: PersonStores, access: Access, id: string): Promise<string> {
    access.requireAnyAdmin();
    const person = await tx.persons.findById(id);
    if (person?.personType !== 'serviceAccount') {
      throw new NotFoundError(`admin service account ${id} not found`);
    }
    await requireMayManagePerson(tx, access, id);
    await tx.sessions.deleteForPerson(id);
    await tx.persons.update(id, { changedBy: access.personId });
    return startSession(tx, id, ADMIN_TOKEN_LENGTH);
  }

  async #createPerson(tx: PersonStores, access: Access, input: CreatePersonInput): Promise<CreatedPerson> {
    const email = (input.email ?? '').trim().toLowerCase();
    if (email === '') throw new BadRequestError('A person needs an email address');
    const name = input.name?.trim() || null;
    const { token, expiry } = newRegistrationToken(
      this.#deps.clock,
      this.#deps.settings.registrationTokenDays,
    );
    const registration = { registrationToken: token, registrationTokenExpiry: expiry };
    const existing = await tx.persons.findByEmail(email, { includeArchived: true });
    let person: Person;
    if (existing) {
      if (existing.whenArchived === null || existing.personType !== 'person') {
        throw new ConflictError(`A person with email "${email}" already exists`, 'duplicate_email');
      }
      await requireMayManagePerson(tx, access, existing.id);
      await tx.persons.unarchive(existing.id);
      person = await tx.persons.update(existing.id, {
        ...(name ? { name } : {}),
        passwordHash: null,
        passwordAlgorithm: null,
        passwordRequiresReset: false,
        ...registration,
        changedBy: access.personId,
      });
    } else {
      person = await tx.persons.create({
        email,
        name,
        personType: 'person',
        createdBy: access.personId,
        ...registration,
      });
    }
    return { person, token, registrationUrl: registrationUrlFor(this.#deps.settings.siteUrl, token) };
  }

  async #createServiceAccount(tx: PersonStores, access: Access, input: CreatePersonInput) {
    const name = (input.name ?? '').trim();
    if (name === '') throw new BadRequestError('An admin service account needs a name');
    const person = await tx.persons.create({
      email: `${randomUUID()}@${ADMIN_SERVICE_ACCOUNT_EMAIL_DOMAIN}`,
      name,
      personType: 'serviceAccount',
      createdBy: access.personId,
    });
    return { person, token: await startSession(tx, person.id, ADMIN_TOKEN_LENGTH) };
  }

  /** The live groups of `ids` the caller administers; 400 for ids that are no live group. */
  async #manageableGroups(tx: PersonStores, access: Access, ids: readonly string[]): Promise<Group[]> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return [];
    const groups = await tx.groups.list({ ids: unique });
    const missing = unique.filter((id) => !groups.some((g) => g.id === id));
    if (missing.length > 0) throw new BadRequestError(`No such group: ${missing.join(', ')}`);
    return groups.filter((g) => canManageGroup(access, g));
  }

  async #setGroups(tx: PersonStores, access: Access, personId: string, wanted: readonly string[]) {
    const desired = await this.#manageableGroups(tx, access, wanted);
    const currentIds = await tx.groups.listGroupIdsForPerson(personId);
    const current = currentIds.length === 0 ? [] : await tx.groups.list({ ids: currentIds });
    // Leaving the superuser group first takes the person out of every portfolio administrators group
    // (the mirror), so later removals and additions see where they really are.
    const leaving = current
      .filter((g) => canManageGroup(access, g) && !desired.some((d) => d.id === g.id))
      .sort((a, b) => Number(isSuperuserGroup(b)) - Number(isSuperuserGroup(a)));
    for (const g of leaving) await removeGroupMember(tx, g, personId);
    const now = new Set(await tx.groups.listGroupIdsForPerson(personId));
    for (const g of desired) if (!now.has(g.id)) await addGroupMember(tx, g, personId);
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
