import {
  archiveApplicationsCascade,
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
  Application,
  ApplicationQuery,
  ApplicationStore,
  CreateApplication,
  UpdateApplication,
} from './application-store.ts';

export class FakeApplicationStore implements ApplicationStore {
  constructor(private readonly state: FakeState) {}

  private assertNameFree(portfolioId: string, name: string, selfId?: string) {
    assertUnique(
      this.state.tables.applications.values(),
      (a) => isLive(a) && a.portfolioId === portfolioId && a.name === name,
      selfId,
      `an application named "${name}" already exists in the portfolio`,
    );
  }

  async create(input: CreateApplication): Promise<Application> {
    this.assertNameFree(input.portfolioId, input.name);
    const now = this.state.now();
    const a: Application = {
      id: this.state.deps.ids.next(),
      portfolioId: input.portfolioId,
      name: input.name,
      description: input.description ?? null,
      createdBy: input.createdBy ?? null,
      version: 1,
      whenCreated: now,
      whenUpdated: now,
      whenArchived: null,
    };
    this.state.tables.applications.set(a.id, a);
    return copy(a);
  }

  async findById(id: string, options: { includeArchived?: boolean } = {}): Promise<Application | undefined> {
    const a = findLive(this.state.tables.applications, id, options.includeArchived);
    return a && copy(a);
  }

  async findByName(portfolioId: string, name: string): Promise<Application | undefined> {
    const a = [...this.state.tables.applications.values()].find(
      (a) => isLive(a) && a.portfolioId === portfolioId && a.name === name,
    );
    return a && copy(a);
  }

  async list(query: ApplicationQuery): Promise<Application[]> {
    return [...this.state.tables.applications.values()]
      .filter(
        (a) =>
          (query.portfolioId === undefined || a.portfolioId === query.portfolioId) &&
          (query.ids === undefined || query.ids.includes(a.id)) &&
          (query.includeArchived || isLive(a)) &&
          containsIgnoringCase(a.name, query.nameContains),
      )
      .sort(byName)
      .map(copy);
  }

  async update(id: string, patch: UpdateApplication): Promise<Application> {
    const current = findLive(this.state.tables.applications, id);
    checkVersion('application', id, current, patch.version);
    if (!current) notFound('application', id);
    if (patch.name !== undefined) this.assertNameFree(current.portfolioId, patch.name, id);
    const { version: _v, ...fields } = patch;
    const next = {
      ...applyPatch(current, fields),
      version: current.version + 1,
      whenUpdated: this.state.now(),
    };
    this.state.tables.applications.set(id, next);
    return copy(next);
  }

  async archive(id: string): Promise<Application> {
    if (!findLive(this.state.tables.applications, id)) notFound('application', id);
    archiveApplicationsCascade(this.state.tables, new Set([id]), this.state.now());
    return copy(this.state.tables.applications.get(id)!);
  }
}
