import {
  archivePortfolioCascade,
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
  CreatePortfolio,
  Portfolio,
  PortfolioQuery,
  PortfolioStore,
  UpdatePortfolio,
} from './portfolio-store.ts';

export class FakePortfolioStore implements PortfolioStore {
  constructor(private readonly state: FakeState) {}

  private assertNameFree(organisationId: string, name: string, selfId?: string) {
    assertFreeAmongLive(
      this.state.tables.portfolios,
      (p) => p.organisationId === organisationId && p.name === name,
      selfId,
      `a portfolio named "${name}" already exists`,
    );
  }

  async create(input: CreatePortfolio): Promise<Portfolio> {
    this.assertNameFree(input.organisationId, input.name);
    return insertLive(this.state, this.state.tables.portfolios, {
      organisationId: input.organisationId,
      name: input.name,
      description: input.description ?? null,
      createdBy: input.createdBy ?? null,
    });
  }

  async findById(id: string, options: { includeArchived?: boolean } = {}): Promise<Portfolio | undefined> {
    const p = findLive(this.state.tables.portfolios, id, options.includeArchived);
    return p && copy(p);
  }

  async findByName(organisationId: string, name: string): Promise<Portfolio | undefined> {
    const p = findLiveWhere(
      this.state.tables.portfolios,
      (p) => p.organisationId === organisationId && p.name === name,
    );
    return p && copy(p);
  }

  async list(query: PortfolioQuery): Promise<Portfolio[]> {
    return listByName(this.state.tables.portfolios, (p) => p.organisationId === query.organisationId, query);
  }

  async update(id: string, patch: UpdatePortfolio): Promise<Portfolio> {
    return updateLive(this.state, this.state.tables.portfolios, 'portfolio', id, patch, (current) => {
      if (patch.name !== undefined) this.assertNameFree(current.organisationId, patch.name, id);
    });
  }

  async archive(id: string): Promise<Portfolio> {
    const t = this.state.tables;
    if (!findLive(t.portfolios, id)) notFound('portfolio', id);
    archivePortfolioCascade(t, id, this.state.now());
    return copy(t.portfolios.get(id)!);
  }
}
