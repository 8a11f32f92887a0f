import {
  archiveApplicationsCascade,
  assertFreeAmongLive,
  copy,
  type FakeState,
  findLive,
  findLiveWhere,
  insertLive,
  listByName,
  notFound,
  updateLive,
} from '../db/fake-state.ts';
import type {
  Application,
  ApplicationQuery,
  ApplicationStore,
  CreateApplication,
  UpdateApplication,
} from './application-store.ts';

export class FakeApplicationStore implements ApplicationStore {
  constructor(private readonly state: FakeState) {}

  private assertNameFree(portfolioId: string, name: string, selfId?: string) {
    assertFreeAmongLive(
      this.state.tables.applications,
      (a) => a.portfolioId === portfolioId && a.name === name,
      selfId,
      `an application named "${name}" already exists in the portfolio`,
    );
  }

  async create(input: CreateApplication): Promise<Application> {
    this.assertNameFree(input.portfolioId, input.name);
    return insertLive(this.state, this.state.tables.applications, {
      portfolioId: input.portfolioId,
      name: input.name,
      description: input.description ?? null,
      createdBy: input.createdBy ?? null,
    });
  }

  async findById(id: string, options: { includeArchived?: boolean } = {}): Promise<Application | undefined> {
    const a = findLive(this.state.tables.applications, id, options.includeArchived);
    return a && copy(a);
  }

  async findByName(portfolioId: string, name: string): Promise<Application | undefined> {
    const a = findLiveWhere(
      this.state.tables.applications,
      (a) => a.portfolioId === portfolioId && a.name === name,
    );
    return a && copy(a);
  }

  async list(query: ApplicationQuery): Promise<Application[]> {
    return listByName(
      this.state.tables.applications,
      (a) => query.portfolioId === undefined || a.portfolioId === query.portfolioId,
      query,
    );
  }

  async update(id: string, patch: UpdateApplication): Promise<Application> {
    return updateLive(this.state, this.state.tables.applications, 'application', id, patch, (current) => {
      if (patch.name !== undefined) this.assertNameFree(current.portfolioId, patch.name, id);
    });
  }

  async archive(id: string): Promise<Application> {
    if (!findLive(this.state.tables.applications, id)) notFound('application', id);
    archiveApplicationsCascade(this.state.tables, new Set([id]), this.state.now());
    return copy(this.state.tables.applications.get(id)!);
  }
}
