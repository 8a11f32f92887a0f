import {
  archiveLive,
  assertFreeAmongLive,
  copy,
  type FakeState,
  findLive,
  insertLive,
  listByName,
  updateLive,
} from '../db/fake-state.ts';
import type {
  ApplicationStrategy,
  ApplicationStrategyStore,
  CreateApplicationStrategy,
  UpdateApplicationStrategy,
} from './application-strategy-store.ts';

export class FakeApplicationStrategyStore implements ApplicationStrategyStore {
  constructor(private readonly state: FakeState) {}

  async create(input: CreateApplicationStrategy): Promise<ApplicationStrategy> {
    assertFreeAmongLive(
      this.state.tables.strategies,
      (s) => s.applicationId === input.applicationId && (s.name === input.name || s.code === input.code),
      undefined,
      `a strategy named "${input.name}" (or with code ${input.code}) already exists`,
    );
    return insertLive(this.state, this.state.tables.strategies, {
      applicationId: input.applicationId,
      name: input.name,
      code: input.code,
      strategy: copy(input.strategy ?? {}),
      whoChanged: input.whoChanged ?? null,
    });
  }

  async findById(
    id: string,
    options: { includeArchived?: boolean } = {},
  ): Promise<ApplicationStrategy | undefined> {
    const s = findLive(this.state.tables.strategies, id, options.includeArchived);
    return s && copy(s);
  }

  async list(query: { applicationId: string; includeArchived?: boolean }): Promise<ApplicationStrategy[]> {
    return listByName(this.state.tables.strategies, (s) => s.applicationId === query.applicationId, {
      includeArchived: query.includeArchived,
    });
  }

  async update(id: string, patch: UpdateApplicationStrategy): Promise<ApplicationStrategy> {
    const strategies = this.state.tables.strategies;
    return updateLive(this.state, strategies, 'application strategy', id, patch, (current) => {
      if (patch.name === undefined) return;
      assertFreeAmongLive(
        strategies,
        (s) => s.applicationId === current.applicationId && s.name === patch.name,
        id,
        `a strategy named "${patch.name}" already exists`,
      );
    });
  }

  async archive(id: string): Promise<ApplicationStrategy> {
    const archived = archiveLive(this.state, this.state.tables.strategies, 'application strategy', id);
    for (const [fvId, fv] of this.state.tables.featureValues) {
      if (fv.strategyInstances.some((s) => s.strategyId === id)) {
        this.state.tables.featureValues.set(fvId, {
          ...fv,
          strategyInstances: fv.strategyInstances.filter((s) => s.strategyId !== id),
        });
      }
    }
    return archived;
  }
}
