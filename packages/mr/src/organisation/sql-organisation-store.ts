import type { Selectable } from 'kysely';
import type { OrganisationTable } from '../db/schema.ts';
import { archiveFieldsOf, type SqlStoreContext } from '../db/sql-support.ts';
import { definedOnly, missedUpdate, nowMs, uniquely } from '../db/store-support.ts';
import type {
  CreateOrganisation,
  Organisation,
  OrganisationStore,
  UpdateOrganisation,
} from './organisation-store.ts';

function toOrganisation(r: Selectable<OrganisationTable>): Organisation {
  return {
    id: r.id,
    name: r.name,
    groupId: r.group_id,
    ...archiveFieldsOf(r),
  };
}

export class SqlOrganisationStore implements OrganisationStore {
  private readonly db;
  private readonly deps;

  constructor(ctx: SqlStoreContext) {
    this.db = ctx.db;
    this.deps = ctx.deps;
  }

  async create(input: CreateOrganisation): Promise<Organisation> {
    const now = nowMs(this.deps.clock);
    const id = input.id ?? this.deps.ids.next();
    await uniquely(`organisation ${id} already exists`, () =>
      this.db
        .insertInto('fh_organisation')
        .values({
          id,
          name: input.name,
          group_id: input.groupId ?? null,
          version: 1,
          when_created: now,
          when_updated: now,
          when_archived: null,
        })
        .execute(),
    );
    return (await this.findById(id))!;
  }

  async findById(id: string): Promise<Organisation | undefined> {
    const r = await this.db.selectFrom('fh_organisation').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toOrganisation(r);
  }

  async findFirst(): Promise<Organisation | undefined> {
    const r = await this.db
      .selectFrom('fh_organisation')
      .selectAll()
      .where('when_archived', 'is', null)
      .orderBy('when_created')
      .orderBy('id')
      .limit(1)
      .executeTakeFirst();
    return r && toOrganisation(r);
  }

  async update(id: string, patch: UpdateOrganisation): Promise<Organisation> {
    const res = await this.db
      .updateTable('fh_organisation')
      .set((eb) => ({
        ...definedOnly({ name: patch.name, group_id: patch.groupId }),
        version: eb('version', '+', 1),
        when_updated: nowMs(this.deps.clock),
      }))
      .where('id', '=', id)
      .$if(patch.version !== undefined, (qb) => qb.where('version', '=', patch.version!))
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0)
      missedUpdate('organisation', id, (await this.findById(id))?.version, patch.version);
    return (await this.findById(id))!;
  }
}
