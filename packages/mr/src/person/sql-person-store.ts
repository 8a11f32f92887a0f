import { NotFoundError } from '@fh/service-kit';
import { type Selectable, sql } from 'kysely';
import type { PersonTable } from '../db/schema.ts';
import { archiveFieldsOf, containsIgnoringCase, type SqlStoreContext } from '../db/sql-support.ts';
import { definedOnly, missedUpdate, nowMs, toBool, toDateOrNull, uniquely } from '../db/store-support.ts';
import type {
  CreatePerson,
  Person,
  PersonQuery,
  PersonStore,
  PersonType,
  UpdatePerson,
} from './person-store.ts';

const dbTypes: Record<PersonType, string> = {
  person: 'PERSON',
  serviceAccount: 'SERVICEACCOUNT',
  sdkServiceAccount: 'SDKSERVICEACCOUNT',
};
const domainTypes = Object.fromEntries(Object.entries(dbTypes).map(([k, v]) => [v, k])) as Record<
  string,
  PersonType
>;

function toPerson(r: Selectable<PersonTable>): Person {
  return {
    id: r.id,
    email: r.email,
    name: r.name,
    personType: domainTypes[r.person_type] ?? 'person',
    passwordHash: r.password_hash,
    passwordAlgorithm: r.password_alg,
    passwordRequiresReset: toBool(r.password_requires_reset),
    registrationToken: r.registration_token,
    registrationTokenExpiry: toDateOrNull(r.registration_token_expiry),
    whenLastAuthenticated: toDateOrNull(r.when_last_authenticated),
    createdBy: r.created_by,
    changedBy: r.changed_by,
    ...archiveFieldsOf(r),
  };
}

const duplicateEmail = (email: string | undefined) => `a person with email "${email}" already exists`;

export class SqlPersonStore implements PersonStore {
  constructor(private readonly ctx: SqlStoreContext) {}

  async create(input: CreatePerson): Promise<Person> {
    const now = nowMs(this.ctx.deps.clock);
    const id = this.ctx.deps.ids.next();
    const email = input.email.trim().toLowerCase();
    await uniquely(
      duplicateEmail(email),
      () =>
        this.ctx.db
          .insertInto('fh_person')
          .values({
            id,
            email,
            name: input.name ?? null,
            person_type: dbTypes[input.personType ?? 'person'],
            password_hash: input.passwordHash ?? null,
            password_alg: input.passwordAlgorithm ?? null,
            password_requires_reset: input.passwordRequiresReset ?? false,
            registration_token: input.registrationToken ?? null,
            registration_token_expiry: input.registrationTokenExpiry ?? null,
            when_last_authenticated: null,
            created_by: input.createdBy ?? null,
            changed_by: null,
            version: 1,
            when_created: now,
            when_updated: now,
            when_archived: null,
          })
          .execute(),
      'duplicate_email',
    );
    return (await this.findById(id))!;
  }

  async findById(id: string, options: { includeArchived?: boolean } = {}): Promise<Person | undefined> {
    const r = await this.ctx.db
      .selectFrom('fh_person')
      .selectAll()
      .where('id', '=', id)
      .$if(!options.includeArchived, (qb) => qb.where('when_archived', 'is', null))
      .executeTakeFirst();
    return r && toPerson(r);
  }

  async findByEmail(email: string, options: { includeArchived?: boolean } = {}): Promise<Person | undefined> {
    const r = await this.ctx.db
      .selectFrom('fh_person')
      .selectAll()
      .where('email', '=', email.trim().toLowerCase())
      .$if(!options.includeArchived, (qb) => qb.where('when_archived', 'is', null))
      .executeTakeFirst();
    return r && toPerson(r);
  }

  async findByRegistrationToken(token: string): Promise<Person | undefined> {
    const r = await this.ctx.db
      .selectFrom('fh_person')
      .selectAll()
      .where('registration_token', '=', token)
      .executeTakeFirst();
    return r && toPerson(r);
  }

  async list(query: PersonQuery): Promise<{ persons: Person[]; total: number }> {
    if (query.ids && query.ids.length === 0) return { persons: [], total: 0 };
    const dialect = this.ctx.dialect;
    const base = this.ctx.db
      .selectFrom('fh_person')
      .$if(!query.includeArchived, (qb) => qb.where('when_archived', 'is', null))
      .$if(query.ids !== undefined, (qb) => qb.where('id', 'in', query.ids!))
      .$if(query.personTypes !== undefined, (qb) =>
        qb.where(
          'person_type',
          'in',
          query.personTypes!.length === 0 ? [''] : query.personTypes!.map((t) => dbTypes[t]),
        ),
      )
      .$if(!!query.search, (qb) =>
        qb.where((eb) =>
          eb.or([
            containsIgnoringCase(dialect, 'name', query.search!),
            containsIgnoringCase(dialect, 'email', query.search!),
          ]),
        ),
      );
    const counted = await base.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirst();
    const direction = query.descending ? 'desc' : 'asc';
    const rows = await base
      .selectAll()
      .$if(query.orderBy === 'email', (qb) => qb.orderBy('email', direction))
      .$if(query.orderBy === 'whenCreated', (qb) => qb.orderBy('when_created', direction))
      .$if(query.orderBy === 'activationStatus', (qb) =>
        qb
          .orderBy(sql`case when when_archived is null then 0 else 1 end`, direction)
          .orderBy('name', direction)
          .orderBy('email', direction),
      )
      .$if(query.orderBy === undefined || query.orderBy === 'name', (qb) =>
        qb.orderBy('name', direction).orderBy('email', direction),
      )
      .orderBy('id')
      .$if(query.limit !== undefined, (qb) => qb.limit(query.limit!))
      .$if(query.offset !== undefined && query.offset > 0, (qb) =>
        // MySQL has no OFFSET without LIMIT
        (query.limit === undefined ? qb.limit(Number.MAX_SAFE_INTEGER) : qb).offset(query.offset!),
      )
      .execute();
    return { persons: rows.map(toPerson), total: Number(counted?.n ?? 0) };
  }

  async update(id: string, patch: UpdatePerson): Promise<Person> {
    const email = patch.email?.trim().toLowerCase();
    const res = await uniquely(
      duplicateEmail(email),
      () =>
        this.ctx.db
          .updateTable('fh_person')
          .set((eb) => ({
            ...definedOnly({
              email,
              name: patch.name,
              password_hash: patch.passwordHash,
              password_alg: patch.passwordAlgorithm,
              password_requires_reset: patch.passwordRequiresReset,
              registration_token: patch.registrationToken,
              registration_token_expiry: patch.registrationTokenExpiry,
              when_last_authenticated: patch.whenLastAuthenticated,
              changed_by: patch.changedBy,
            }),
            version: eb('version', '+', 1),
            when_updated: nowMs(this.ctx.deps.clock),
          }))
          .where('id', '=', id)
          .$if(patch.version !== undefined, (qb) => qb.where('version', '=', patch.version!))
          .executeTakeFirst(),
      'duplicate_email',
    );
    if (Number(res.numUpdatedRows) === 0) {
      missedUpdate(
        'person',
        id,
        (await this.findById(id, { includeArchived: true }))?.version,
        patch.version,
      );
    }
    return (await this.findById(id, { includeArchived: true }))!;
  }

  async archive(id: string, options: { keepGroups?: boolean } = {}): Promise<Person> {
    const now = nowMs(this.ctx.deps.clock);
    const res = await this.ctx.db
      .updateTable('fh_person')
      .set((eb) => ({ when_archived: now, version: eb('version', '+', 1), when_updated: now }))
      .where('id', '=', id)
      .where('when_archived', 'is', null)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0) throw new NotFoundError(`person ${id} not found`);
    await this.ctx.db.deleteFrom('fh_session').where('person_id', '=', id).execute();
    if (!options.keepGroups)
      await this.ctx.db.deleteFrom('fh_group_member').where('person_id', '=', id).execute();
    return (await this.findById(id, { includeArchived: true }))!;
  }

  async unarchive(id: string): Promise<Person> {
    const now = nowMs(this.ctx.deps.clock);
    const res = await this.ctx.db
      .updateTable('fh_person')
      .set((eb) => ({ when_archived: null, version: eb('version', '+', 1), when_updated: now }))
      .where('id', '=', id)
      .where('when_archived', 'is not', null)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0) throw new NotFoundError(`no deactivated person ${id}`);
    return (await this.findById(id))!;
  }
}
