import { NotFoundError } from '@fh/service-kit';
import {
  assertUnique,
  containsIgnoringCase,
  copy,
  type FakeState,
  findLive,
  notFound,
} from '../db/fake-state.ts';
import { applyPatch, checkVersion } from '../db/store-support.ts';
import type { CreatePerson, Person, PersonQuery, PersonStore, UpdatePerson } from './person-store.ts';

const duplicateEmail = (email: string) => `a person with email "${email}" already exists`;

function compare(a: string | null, b: string | null): number {
  const x = a ?? '';
  const y = b ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
}

export class FakePersonStore implements PersonStore {
  constructor(private readonly state: FakeState) {}

  async create(input: CreatePerson): Promise<Person> {
    const email = input.email.trim().toLowerCase();
    assertUnique(
      this.state.tables.persons.values(),
      (p) => p.email === email,
      undefined,
      duplicateEmail(email),
      'duplicate_email',
    );
    const now = this.state.now();
    const p: Person = {
      id: this.state.deps.ids.next(),
      email,
      name: input.name ?? null,
      personType: input.personType ?? 'person',
      passwordHash: input.passwordHash ?? null,
      passwordAlgorithm: input.passwordAlgorithm ?? null,
      passwordRequiresReset: input.passwordRequiresReset ?? false,
      registrationToken: input.registrationToken ?? null,
      registrationTokenExpiry: input.registrationTokenExpiry ?? null,
      whenLastAuthenticated: null,
      createdBy: input.createdBy ?? null,
      changedBy: null,
      version: 1,
      whenCreated: now,
      whenUpdated: now,
      whenArchived: null,
    };
    this.state.tables.persons.set(p.id, p);
    return copy(p);
  }

  async findById(id: string, options: { includeArchived?: boolean } = {}): Promise<Person | undefined> {
    const p = findLive(this.state.tables.persons, id, options.includeArchived);
    return p && copy(p);
  }

  async findByEmail(email: string, options: { includeArchived?: boolean } = {}): Promise<Person | undefined> {
    const wanted = email.trim().toLowerCase();
    const p = [...this.state.tables.persons.values()].find(
      (p) => p.email === wanted && (options.includeArchived || p.whenArchived === null),
    );
    return p && copy(p);
  }

  async findByRegistrationToken(token: string): Promise<Person | undefined> {
    const p = [...this.state.tables.persons.values()].find((p) => p.registrationToken === token);
    return p && copy(p);
  }

  async list(query: PersonQuery): Promise<{ persons: Person[]; total: number }> {
    const matches = [...this.state.tables.persons.values()].filter(
      (p) =>
        (query.includeArchived || p.whenArchived === null) &&
        (query.ids === undefined || query.ids.includes(p.id)) &&
        (query.personTypes === undefined || query.personTypes.includes(p.personType)) &&
        (!query.search ||
          containsIgnoringCase(p.name, query.search) ||
          containsIgnoringCase(p.email, query.search)),
    );
    const sign = query.descending ? -1 : 1;
    matches.sort((a, b) => {
      const primary =
        query.orderBy === 'email'
          ? compare(a.email, b.email)
          : query.orderBy === 'whenCreated'
            ? a.whenCreated.getTime() - b.whenCreated.getTime()
            : query.orderBy === 'activationStatus'
              ? Number(a.whenArchived !== null) - Number(b.whenArchived !== null) ||
                compare(a.name, b.name) ||
                compare(a.email, b.email)
              : compare(a.name, b.name) || compare(a.email, b.email);
      return sign * primary || compare(a.id, b.id);
    });
    const offset = query.offset ?? 0;
    const page = matches.slice(offset, query.limit === undefined ? undefined : offset + query.limit);
    return { persons: page.map(copy), total: matches.length };
  }

  async update(id: string, patch: UpdatePerson): Promise<Person> {
    const current = this.state.tables.persons.get(id);
    checkVersion('person', id, current, patch.version);
    if (!current) notFound('person', id);
    const email = patch.email?.trim().toLowerCase();
    if (email !== undefined) {
      assertUnique(
        this.state.tables.persons.values(),
        (p) => p.email === email,
        id,
        duplicateEmail(email),
        'duplicate_email',
      );
    }
    const { version: _v, ...fields } = patch;
    const next = {
      ...applyPatch(current, { ...fields, email }),
      version: current.version + 1,
      whenUpdated: this.state.now(),
    };
    this.state.tables.persons.set(id, next);
    return copy(next);
  }

  async archive(id: string, options: { keepGroups?: boolean } = {}): Promise<Person> {
    const t = this.state.tables;
    const current = findLive(t.persons, id);
    if (!current) notFound('person', id);
    const now = this.state.now();
    t.persons.set(id, { ...current, whenArchived: now, whenUpdated: now, version: current.version + 1 });
    for (const [hash, s] of t.sessions) if (s.personId === id) t.sessions.delete(hash);
    if (!options.keepGroups)
      for (const k of t.groupMembers) if (k.endsWith(`|${id}`)) t.groupMembers.delete(k);
    return copy(t.persons.get(id)!);
  }

  async unarchive(id: string): Promise<Person> {
    const current = this.state.tables.persons.get(id);
    if (!current || current.whenArchived === null) throw new NotFoundError(`no deactivated person ${id}`);
    const next = {
      ...current,
      whenArchived: null,
      whenUpdated: this.state.now(),
      version: current.version + 1,
    };
    this.state.tables.persons.set(id, next);
    return copy(next);
  }
}
