import { NotFoundError } from '@fh/service-kit';
import type { Selectable } from 'kysely';
import type { ApplicationTable } from '../db/schema.ts';
import { archiveApplicationsCascade, containsIgnoringCase, type SqlStoreContext } from '../db/sql-support.ts';
import {
  definedOnly,
  missedUpdate,
  nowMs,
  toDate,
  toDateOrNull,
  toNumber,
  uniquely,
} from '../db/store-support.ts';
import type {
  Application,
  ApplicationQuery,
  ApplicationStore,
  CreateApplication,
  UpdateApplication,
} from './application-store.ts';

function toApplication(r: Selectable<ApplicationTable>): Application {
  return {
    id: r.id,
    portfolioId: r.portfolio_id,
    name: r.name,
    description: r.description,
    createdBy: r.created_by,
    version: toNumber(r.version),
    whenCreated: toDate(r.when_created),
    whenUpdated: toDate(r.when_updated),
    whenArchived: toDateOrNull(r.when_archived),
  };
}

export class SqlApplicationStore implements ApplicationStore {
  constructor(private readonly ctx: SqlStoreContext) {}

  async create(input: CreateApplication): Promise<Application> {
    const now = nowMs(this.ctx.deps.clock);
    const id = this.ctx.deps.ids.next();
    await uniquely(`an application named "${input.name}" already exists in the portfolio`, () =>
      this.ctx.db
        .insertInto('fh_application')
        .values({
          id,
          portfolio_id: input.portfolioId,
          name: input.name,
          description: input.description ?? null,
          created_by: input.createdBy ?? null,
          version: 1,
          when_created: now,
          when_updated: now,
          when_archived: null,
          archive_key: '',
        })
        .execute(),
    );
    return (await this.findById(id))!;
  }

  async findById(id: string, options: { includeArchived?: boolean } = {}): Promise<Application | undefined> {
    const r = await this.ctx.db
      .selectFrom('fh_application')
      .selectAll()
      .where('id', '=', id)
      .$if(!options.includeArchived, (qb) => qb.where('when_archived', 'is', null))
      .executeTakeFirst();
    return r && toApplication(r);
  }

  async findByName(portfolioId: string, name: string): Promise<Application | undefined> {
    const r = await this.ctx.db
      .selectFrom('fh_application')
      .selectAll()
      .where('portfolio_id', '=', portfolioId)
      .where('name', '=', name)
      .where('when_archived', 'is', null)
      .executeTakeFirst();
    return r && toApplication(r);
  }

  async list(query: ApplicationQuery): Promise<Application[]> {
    if (query.ids && query.ids.length === 0) return [];
    const rows = await this.ctx.db
      .selectFrom('fh_application')
      .selectAll()
      .$if(query.portfolioId !== undefined, (qb) => qb.where('portfolio_id', '=', query.portfolioId!))
      .$if(query.ids !== undefined, (qb) => qb.where('id', 'in', query.ids!))
      .$if(!query.includeArchived, (qb) => qb.where('when_archived', 'is', null))
      .$if(!!query.nameContains, (qb) =>
        qb.where(containsIgnoringCase(this.ctx.dialect, 'name', query.nameContains!)),
      )
      .orderBy('name')
      .orderBy('id')
      .execute();
    return rows.map(toApplication);
  }

  async update(id: string, patch: UpdateApplication): Promise<Application> {
    const res = await uniquely(`an application named "${patch.name}" already exists in the portfolio`, () =>
      this.ctx.db
        .updateTable('fh_application')
        .set((eb) => ({
          ...definedOnly({ name: patch.name, description: patch.description }),
          version: eb('version', '+', 1),
          when_updated: nowMs(this.ctx.deps.clock),
        }))
        .where('id', '=', id)
        .where('when_archived', 'is', null)
        .$if(patch.version !== undefined, (qb) => qb.where('version', '=', patch.version!))
        .executeTakeFirst(),
    );
    if (Number(res.numUpdatedRows) === 0) {
      missedUpdate('application', id, (await this.findById(id))?.version, patch.version);
    }
    return (await this.findById(id))!;
  }

  async archive(id: string): Promise<Application> {
    if (!(await this.findById(id))) throw new NotFoundError(`application ${id} not found`);
    await archiveApplicationsCascade(this.ctx.db, [id], nowMs(this.ctx.deps.clock));
    return (await this.findById(id, { includeArchived: true }))!;
  }
}
