import {
  archiveApplicationsCascade,
  archiveGroupsCascade,
  archiveIn,
  assertUnique,
  byName,
  containsIgnoringCase,
  copy,
  type FakeState,
  findLive,
  isLive,
  notFound,
} from '../db/fake-state.ts';
import { applyPatch, checkVersion } from '../db/store-support.ts';
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
    assertUnique(
      this.state.tables.portfolios.values(),
      (p) => isLive(p) && p.organisationId === organisationId && p.name === name,
      selfId,
      `a portfolio named "${name}" already exists`,
    );
  }

  async create(input: CreatePortfolio): Promise<Portfolio> {
    this.assertNameFree(input.organisationId, input.name);
    const now = this.state.now();
    const p: Portfolio = {
      id: this.state.deps.ids.next(),
      organisationId: input.organisationId,
      name: input.name,
      description: input.description ?? null,
      createdBy: input.createdBy ?? null,
      version: 1,
      whenCreated: now,
      whenUpdated: now,
      whenArchived: null,
    };
    this.state.tables.portfolios.set(p.id, p);
    return copy(p);
  }

  async findById(id: string, options: { includeArchived?: boolean } = {}): Promise<Portfolio | undefined> {
    const p = findLive(this.state.tables.portfolios, id, options.includeArchived);
    return p && copy(p);
  }

  async findByName(organisationId: string, name: string): Promise<Portfolio | undefined> {
    const p = [...this.state.tables.portfolios.values()].find(
      (p) => isLive(p) && p.organisationId === organisationId && p.name === name,
    );
    return p && copy(p);
  }

  async list(query: PortfolioQuery): Promise<Portfolio[]> {
    return [...this.state.tables.portfolios.values()]
      .filter(
        (p) =>
          p.organisationId === query.organisationId &&
          (query.includeArchived || isLive(p)) &&
          (query.ids === undefined || query.ids.includes(p.id)) &&
          containsIgnoringCase(p.name, query.nameContains),
      )
      .sort(byName)
      .map(copy);
  }

  async update(id: string, patch: UpdatePortfolio): Promise<Portfolio> {
    const current = findLive(this.state.tables.portfolios, id);
    checkVersion('portfolio', id, current, patch.version);
    if (!current) notFound('portfolio', id);
    if (patch.name !== undefined) this.assertNameFree(current.organisationId, patch.name, id);
    const { version: _v, ...fields } = patch;
    const next = {
      ...applyPatch(current, fields),
      version: current.version + 1,
      whenUpdated: this.state.now(),
    };
    this.state.tables.portfolios.set(id, next);
    return copy(next);
  }

  async archive(id: string): Promise<Portfolio> {
    const t = this.state.tables;
    if (!findLive(t.portfolios, id)) notFound('portfolio', id);
    const now = this.state.now();
    const live = <T extends { whenArchived: Date | null; id: string }>(
      m: Map<string, T>,
      pred: (e: T) => boolean,
    ) => new Set([...m.values()].filter((e) => isLive(e) && pred(e)).map((e) => e.id));
    archiveApplicationsCascade(
      t,
      live(t.applications, (a) => a.portfolioId === id),
      now,
    );
    archiveGroupsCascade(
      t,
      live(t.groups, (g) => g.portfolioId === id),
      now,
    );
    archiveIn(
      t.serviceAccounts,
      live(t.serviceAccounts, (s) => s.portfolioId === id),
      now,
    );
    archiveIn(t.portfolios, [id], now);
    return copy(t.portfolios.get(id)!);
  }
}
