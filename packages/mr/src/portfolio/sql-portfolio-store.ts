import { NotFoundError } from '@fh/service-kit';
import type { Selectable } from 'kysely';
import type { PortfolioTable } from '../db/schema.ts';
import { archivePortfolioContents, containsIgnoringCase, type SqlStoreContext } from '../db/sql-support.ts';
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
  CreatePortfolio,
  Portfolio,
  PortfolioQuery,
  PortfolioStore,
  UpdatePortfolio,
} from './portfolio-store.ts';

function toPortfolio(r: Selectable<PortfolioTable>): Portfolio {
  return {
    id: r.id,
    organisationId: r.organisation_id,
    name: r.name,
    description: r.description,
    createdBy: r.created_by,
    version: toNumber(r.version),
    whenCreated: toDate(r.when_created),
    whenUpdated: toDate(r.when_updated),
    whenArchived: toDateOrNull(r.when_archived),
  };
}

export class SqlPortfolioStore implements PortfolioStore {
  constructor(private readonly ctx: SqlStoreContext) {}

  async create(input: CreatePortfolio): Promise<Portfolio> {
    const now = nowMs(this.ctx.deps.clock);
    const id = this.ctx.deps.ids.next();
    await uniquely(`a portfolio named "${input.name}" already exists`, () =>
      this.ctx.db
        .insertInto('fh_portfolio')
        .values({
          id,
          organisation_id: input.organisationId,
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

  async findById(id: string, options: { includeArchived?: boolean } = {}): Promise<Portfolio | undefined> {
    const r = await this.ctx.db
      .selectFrom('fh_portfolio')
      .selectAll()
      .where('id', '=', id)
      .$if(!options.includeArchived, (qb) => qb.where('when_archived', 'is', null))
      .executeTakeFirst();
    return r && toPortfolio(r);
  }

  async findByName(organisationId: string, name: string): Promise<Portfolio | undefined> {
    const r = await this.ctx.db
      .selectFrom('fh_portfolio')
      .selectAll()
      .where('organisation_id', '=', organisationId)
      .where('name', '=', name)
      .where('when_archived', 'is', null)
      .executeTakeFirst();
    return r && toPortfolio(r);
  }

  async list(query: PortfolioQuery): Promise<Portfolio[]> {
    if (query.ids && query.ids.length === 0) return [];
    const rows = await this.ctx.db
      .selectFrom('fh_portfolio')
      .selectAll()
      .where('organisation_id', '=', query.organisationId)
      .$if(!query.includeArchived, (qb) => qb.where('when_archived', 'is', null))
      .$if(query.ids !== undefined, (qb) => qb.where('id', 'in', query.ids!))
      .$if(!!query.nameContains, (qb) =>
        qb.where(containsIgnoringCase(this.ctx.dialect, 'name', query.nameContains!)),
      )
      .orderBy('name')
      .orderBy('id')
      .execute();
    return rows.map(toPortfolio);
  }

  async update(id: string, patch: UpdatePortfolio): Promise<Portfolio> {
    const res = await uniquely(`a portfolio named "${patch.name}" already exists`, () =>
      this.ctx.db
        .updateTable('fh_portfolio')
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
    if (Number(res.numUpdatedRows) === 0)
      missedUpdate('portfolio', id, (await this.findById(id))?.version, patch.version);
    return (await this.findById(id))!;
  }

  async archive(id: string): Promise<Portfolio> {
    const now = nowMs(this.ctx.deps.clock);
    if (!(await this.findById(id))) throw new NotFoundError(`portfolio ${id} not found`);
    await archivePortfolioContents(this.ctx.db, id, now);
    await this.ctx.db
      .updateTable('fh_portfolio')
      .set((eb) => ({
        when_archived: now,
        archive_key: id,
        version: eb('version', '+', 1),
        when_updated: now,
      }))
      .where('id', '=', id)
      .execute();
    return (await this.findById(id, { includeArchived: true }))!;
  }
}
