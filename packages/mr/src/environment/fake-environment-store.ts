import { NotFoundError } from '@fh/service-kit';
import {
  archiveIn,
  assertFreeAmongLive,
  copy,
  dropEnvironmentPermissions,
  type FakeState,
  findLive,
  findLiveWhere,
  insertLive,
  isLive,
  liveIdsWhere,
  notFound,
  updateLive,
} from '../db/fake-state.ts';
import {
  type CreateEnvironment,
  type Environment,
  type EnvironmentQuery,
  type EnvironmentStore,
  orderByPromotion,
  type UpdateEnvironment,
} from './environment-store.ts';

export class FakeEnvironmentStore implements EnvironmentStore {
  constructor(private readonly state: FakeState) {}

  private assertNameFree(applicationId: string, name: string, selfId?: string) {
    assertFreeAmongLive(
      this.state.tables.environments,
      (e) => e.applicationId === applicationId && e.name === name,
      selfId,
      `an environment named "${name}" already exists in the application`,
    );
  }

  async create(input: CreateEnvironment): Promise<Environment> {
    this.assertNameFree(input.applicationId, input.name);
    const siblings = await this.list({ applicationId: input.applicationId });
    let prior: string | null;
    if (input.priorEnvironmentId === undefined) {
      prior = siblings.at(-1)?.id ?? null;
    } else {
      prior = input.priorEnvironmentId;
      if (prior !== null && !siblings.some((e) => e.id === prior)) {
        throw new NotFoundError(`prior environment ${prior} not found in application ${input.applicationId}`);
      }
    }
    const now = this.state.now();
    const env = insertLive(
      this.state,
      this.state.tables.environments,
      {
        applicationId: input.applicationId,
        name: input.name,
        description: input.description ?? null,
        production: input.production ?? false,
        priorEnvironmentId: prior,
        environmentInfo: { ...input.environmentInfo },
        managementEnvironmentInfo: { ...input.managementEnvironmentInfo },
        webhookEnvironmentInfo: { ...input.webhookEnvironmentInfo },
        whenUnpublished: null,
      },
      now,
    );
    if (input.priorEnvironmentId !== undefined) {
      for (const s of siblings) {
        if (s.priorEnvironmentId === prior) this.relink(s.id, env.id, now);
      }
    }
    return env;
  }

  private relink(id: string, prior: string | null, now: Date) {
    const e = this.state.tables.environments.get(id)!;
    this.state.tables.environments.set(id, {
      ...e,
      priorEnvironmentId: prior,
      version: e.version + 1,
      whenUpdated: now,
    });
  }

  async findById(id: string, options: { includeArchived?: boolean } = {}): Promise<Environment | undefined> {
    const e = findLive(this.state.tables.environments, id, options.includeArchived);
    return e && copy(e);
  }

  async findByName(applicationId: string, name: string): Promise<Environment | undefined> {
    const e = findLiveWhere(
      this.state.tables.environments,
      (e) => e.applicationId === applicationId && e.name === name,
    );
    return e && copy(e);
  }

  async list(query: EnvironmentQuery): Promise<Environment[]> {
    const envs = [...this.state.tables.environments.values()].filter(
      (e) =>
        (query.applicationId === undefined || e.applicationId === query.applicationId) &&
        (query.ids === undefined || query.ids.includes(e.id)) &&
        (query.includeArchived || isLive(e)),
    );
    const byApp = new Map<string, Environment[]>();
    for (const e of envs) byApp.set(e.applicationId, [...(byApp.get(e.applicationId) ?? []), e]);
    return [...byApp.values()].flatMap((group) => orderByPromotion(group)).map(copy);
  }

  async update(id: string, patch: UpdateEnvironment): Promise<Environment> {
    return updateLive(this.state, this.state.tables.environments, 'environment', id, patch, (current) => {
      if (patch.name !== undefined) this.assertNameFree(current.applicationId, patch.name, id);
    });
  }

  async archive(id: string): Promise<Environment> {
    const env = findLive(this.state.tables.environments, id);
    if (!env) notFound('environment', id);
    const now = this.state.now();
    for (const e of this.state.tables.environments.values()) {
      if (isLive(e) && e.priorEnvironmentId === id) this.relink(e.id, env.priorEnvironmentId, now);
    }
    archiveIn(
      this.state.tables.featureGroups,
      liveIdsWhere(this.state.tables.featureGroups, (g) => g.environmentId === id),
      now,
    );
    archiveIn(this.state.tables.environments, [id], now);
    dropEnvironmentPermissions(this.state.tables, new Set([id]));
    return copy(this.state.tables.environments.get(id)!);
  }
}
