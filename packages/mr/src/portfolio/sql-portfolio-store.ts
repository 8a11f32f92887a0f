import { NotFoundError } from '@fh/service-kit';
import type { Selectable } from 'kysely';
import type { PortfolioTable } from '../db/schema.ts';
import {
  archiveFieldsOf,
  archivePortfolioCascade,
  findArchivableRow,
  findLiveRow,
  insertLiveRow,
  listRowsByName,
  type SqlStoreContext,
  updateLiveRow,
} from '../db/sql-support.ts';
import { nowMs } from '../db/store-support.ts';
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
    ...archiveFieldsOf(r),
  };
}

const duplicateName = (name: string | undefined) => `a portfolio named "${name}" already exists`;

export class SqlPortfolioStore implements PortfolioStore {
  constructor(private readonly ctx: SqlStoreContext) {}

  async create(input: CreatePortfolio): Promise<Portfolio> {
    const id = this.ctx.deps.ids.next();
    await insertLiveRow(
      this.ctx,
      'fh_portfolio',
      {
        id,
        organisation_id: input.organisationId,
        name: input.name,
        description: input.description ?? null,
        created_by: input.createdBy ?? null,
      },
      nowMs(this.ctx.deps.clock),
      duplicateName(input.name),
    );
    return (await this.findById(id))!;
  }

  async findById(id: string, options: { includeArchived?: boolean } = {}): Promise<Portfolio | undefined> {
    const r = await findArchivableRow(this.ctx.db, 'fh_portfolio', id, options.includeArchived);
    return r && toPortfolio(r);
  }

  async findByName(organisationId: string, name: string): Promise<Portfolio | undefined> {
    const r = await findLiveRow(this.ctx.db, 'fh_portfolio', { organisation_id: organisationId, name });
    return r && toPortfolio(r);
  }

  async list(query: PortfolioQuery): Promise<Portfolio[]> {
    const rows = await listRowsByName(
      this.ctx,
      'fh_portfolio',
      { organisation_id: query.organisationId },
      query,
    );
    return rows.map(toPortfolio);
  }

  async update(id: string, patch: UpdatePortfolio): Promise<Portfolio> {
    await updateLiveRow(
      this.ctx,
      'fh_portfolio',
      'portfolio',
      id,
      { name: patch.name, description: patch.description },
      patch.version,
      duplicateName(patch.name),
    );
    return (await this.findById(id))!;
  }

  async archive(id: string): Promise<Portfolio> {
    const now = nowMs(this.ctx.deps.clock);
    if (!(await this.findById(id))) throw new NotFoundError(`portfolio ${id} not found`);
    await archivePortfolioCascade(this.ctx.db, id, now);
    return (await this.findById(id, { includeArchived: true }))!;
  }
}
