import { NotFoundError } from '@fh/service-kit';
import type { Selectable } from 'kysely';
import type { ApplicationTable } from '../db/schema.ts';
import {
  archiveApplicationsCascade,
  archiveFieldsOf,
  findArchivableRow,
  findLiveRow,
  insertLiveRow,
  listRowsByName,
  type SqlStoreContext,
  updateLiveRow,
} from '../db/sql-support.ts';
import { nowMs } from '../db/store-support.ts';
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
    ...archiveFieldsOf(r),
  };
}

const duplicateName = (name: string | undefined) =>
  `an application named "${name}" already exists in the portfolio`;

export class SqlApplicationStore implements ApplicationStore {
  constructor(private readonly ctx: SqlStoreContext) {}

  async create(input: CreateApplication): Promise<Application> {
    const id = this.ctx.deps.ids.next();
    await insertLiveRow(
      this.ctx,
      'fh_application',
      {
        id,
        portfolio_id: input.portfolioId,
        name: input.name,
        description: input.description ?? null,
        created_by: input.createdBy ?? null,
      },
      nowMs(this.ctx.deps.clock),
      duplicateName(input.name),
    );
    return (await this.findById(id))!;
  }

  async findById(id: string, options: { includeArchived?: boolean } = {}): Promise<Application | undefined> {
    const r = await findArchivableRow(this.ctx.db, 'fh_application', id, options.includeArchived);
    return r && toApplication(r);
  }

  async findByName(portfolioId: string, name: string): Promise<Application | undefined> {
    const r = await findLiveRow(this.ctx.db, 'fh_application', { portfolio_id: portfolioId, name });
    return r && toApplication(r);
  }

  async list(query: ApplicationQuery): Promise<Application[]> {
    const rows = await listRowsByName(this.ctx, 'fh_application', { portfolio_id: query.portfolioId }, query);
    return rows.map(toApplication);
  }

  async update(id: string, patch: UpdateApplication): Promise<Application> {
    await updateLiveRow(
      this.ctx,
      'fh_application',
      'application',
      id,
      { name: patch.name, description: patch.description },
      patch.version,
      duplicateName(patch.name),
    );
    return (await this.findById(id))!;
  }

  async archive(id: string): Promise<Application> {
    if (!(await this.findById(id))) throw new NotFoundError(`application ${id} not found`);
    await archiveApplicationsCascade(this.ctx.db, [id], nowMs(this.ctx.deps.clock));
    return (await this.findById(id, { includeArchived: true }))!;
  }
}
