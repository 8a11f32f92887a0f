import {
  archiveIn,
  assertUnique,
  byName,
  copy,
  type FakeState,
  findLive,
  isLive,
  notFound,
} from '../db/fake-state.ts';
import { applyPatch, checkVersion } from '../db/store-support.ts';
import type {
  ApplicationStrategy,
  ApplicationStrategyStore,
  CreateApplicationStrategy,
  UpdateApplicationStrategy,
} from './application-strategy-store.ts';

export class FakeApplicationStrategyStore implements ApplicationStrategyStore {
  constructor(private readonly state: FakeState) {}

  async create(input: CreateApplicationStrategy): Promise<ApplicationStrategy> {
    assertUnique(
      this.state.tables.strategies.values(),
      (s) =>
        isLive(s) &&
        s.applicationId === input.applicationId &&
        (s.name === input.name || s.code === input.code),
      undefined,
      `a strategy named "${input.name}" (or with code ${input.code}) already exists`,
    );
    const now = this.state.now();
    const s: ApplicationStrategy = {
      id: this.state.deps.ids.next(),
      applicationId: input.applicationId,
      name: input.name,
      code: input.code,
      strategy: copy(input.strategy ?? {}),
      whoChanged: input.whoChanged ?? null,
      version: 1,
      whenCreated: now,
      whenUpdated: now,
      whenArchived: null,
    };
    this.state.tables.strategies.set(s.id, s);
    return copy(s);
  }

  async findById(
    id: string,
    options: { includeArchived?: boolean } = {},
  ): Promise<ApplicationStrategy | undefined> {
    const s = findLive(this.state.tables.strategies, id, options.includeArchived);
    return s && copy(s);
  }

  async list(query: { applicationId: string; includeArchived?: boolean }): Promise<ApplicationStrategy[]> {
    return [...this.state.tables.strategies.values()]
      .filter((s) => s.applicationId === query.applicationId && (query.includeArchived || isLive(s)))
      .sort(byName)
      .map(copy);
  }

  async update(id: string, patch: UpdateApplicationStrategy): Promise<ApplicationStrategy> {
    const current = findLive(this.state.tables.strategies, id);
    checkVersion('application strategy', id, current, patch.version);
    if (!current) notFound('application strategy', id);
    if (patch.name !== undefined) {
      assertUnique(
        this.state.tables.strategies.values(),
        (s) => isLive(s) && s.applicationId === current.applicationId && s.name === patch.name,
        id,
        `a strategy named "${patch.name}" already exists`,
      );
    }
    const { version: _v, ...fields } = patch;
    const next = {
      ...applyPatch(current, copy(fields)),
      version: current.version + 1,
      whenUpdated: this.state.now(),
    };
    this.state.tables.strategies.set(id, next);
    return copy(next);
  }

  async archive(id: string): Promise<ApplicationStrategy> {
    if (archiveIn(this.state.tables.strategies, [id], this.state.now()) === 0)
      notFound('application strategy', id);
    for (const [fvId, fv] of this.state.tables.featureValues) {
      if (fv.strategyInstances.some((s) => s.strategyId === id)) {
        this.state.tables.featureValues.set(fvId, {
          ...fv,
          strategyInstances: fv.strategyInstances.filter((s) => s.strategyId !== id),
        });
      }
    }
    return copy(this.state.tables.strategies.get(id)!);
  }
}
