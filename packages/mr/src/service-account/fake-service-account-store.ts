import {
  archiveLive,
  assertUnique,
  copy,
  type FakeState,
  findLive,
  insertLive,
  isLive,
  listByName,
  notFound,
  updateLive,
} from '../db/fake-state.ts';
import type { EnvironmentRole } from '../group/group-store.ts';
import type {
  CreateServiceAccount,
  ServiceAccount,
  ServiceAccountPermission,
  ServiceAccountQuery,
  ServiceAccountStore,
  UpdateServiceAccount,
} from './service-account-store.ts';

const duplicate = (name: string | undefined) =>
  `a service account named "${name}" already exists in the portfolio, or its API key is taken`;

export class FakeServiceAccountStore implements ServiceAccountStore {
  constructor(private readonly state: FakeState) {}

  private assertFree(portfolioId: string, fields: Partial<ServiceAccount>, selfId?: string) {
    const keys = [fields.apiKeyServerSide, fields.apiKeyClientSide].filter((k) => k !== undefined);
    assertUnique(
      this.state.tables.serviceAccounts.values(),
      (s) =>
        (fields.name !== undefined && isLive(s) && s.portfolioId === portfolioId && s.name === fields.name) ||
        keys.includes(s.apiKeyServerSide) ||
        keys.includes(s.apiKeyClientSide),
      selfId,
      duplicate(fields.name),
    );
  }

  async create(input: CreateServiceAccount): Promise<ServiceAccount> {
    this.assertFree(input.portfolioId, input);
    return insertLive(this.state, this.state.tables.serviceAccounts, {
      portfolioId: input.portfolioId,
      name: input.name,
      description: input.description ?? null,
      apiKeyServerSide: input.apiKeyServerSide,
      apiKeyClientSide: input.apiKeyClientSide,
      sdkPersonId: input.sdkPersonId ?? null,
      createdBy: input.createdBy ?? null,
      changedBy: null,
      whenUnpublished: null,
    });
  }

  async findById(
    id: string,
    options: { includeArchived?: boolean } = {},
  ): Promise<ServiceAccount | undefined> {
    const s = findLive(this.state.tables.serviceAccounts, id, options.includeArchived);
    return s && copy(s);
  }

  async findByApiKey(apiKey: string): Promise<ServiceAccount | undefined> {
    const s = [...this.state.tables.serviceAccounts.values()].find(
      (s) => isLive(s) && (s.apiKeyServerSide === apiKey || s.apiKeyClientSide === apiKey),
    );
    return s && copy(s);
  }

  async list(query: ServiceAccountQuery): Promise<ServiceAccount[]> {
    return listByName(
      this.state.tables.serviceAccounts,
      (s) => query.portfolioId === undefined || s.portfolioId === query.portfolioId,
      query,
    );
  }

  async update(id: string, patch: UpdateServiceAccount): Promise<ServiceAccount> {
    return updateLive(
      this.state,
      this.state.tables.serviceAccounts,
      'service account',
      id,
      patch,
      (current) => this.assertFree(current.portfolioId, patch, id),
    );
  }

  async archive(id: string): Promise<ServiceAccount> {
    return archiveLive(this.state, this.state.tables.serviceAccounts, 'service account', id);
  }

  async setPermissions(
    serviceAccountId: string,
    permissions: readonly { environmentId: string; roles: readonly EnvironmentRole[] }[],
  ): Promise<void> {
    const t = this.state.tables;
    const current = findLive(t.serviceAccounts, serviceAccountId);
    if (!current) notFound('service account', serviceAccountId);
    t.serviceAccounts.set(serviceAccountId, {
      ...current,
      version: current.version + 1,
      whenUpdated: this.state.now(),
    });
    for (const [k, p] of t.serviceAccountPermissions) {
      if (p.serviceAccountId === serviceAccountId) t.serviceAccountPermissions.delete(k);
    }
    for (const p of permissions) {
      if (p.roles.length === 0) continue;
      t.serviceAccountPermissions.set(`${serviceAccountId}|${p.environmentId}`, {
        serviceAccountId,
        environmentId: p.environmentId,
        roles: [...new Set(p.roles)],
      });
    }
  }

  async listPermissions(query: {
    serviceAccountIds?: readonly string[];
    environmentIds?: readonly string[];
  }): Promise<ServiceAccountPermission[]> {
    return [...this.state.tables.serviceAccountPermissions.values()]
      .filter(
        (p) =>
          (query.serviceAccountIds === undefined || query.serviceAccountIds.includes(p.serviceAccountId)) &&
          (query.environmentIds === undefined || query.environmentIds.includes(p.environmentId)),
      )
      .sort((a, b) =>
        a.serviceAccountId !== b.serviceAccountId
          ? a.serviceAccountId < b.serviceAccountId
            ? -1
            : 1
          : a.environmentId < b.environmentId
            ? -1
            : a.environmentId > b.environmentId
              ? 1
              : 0,
      )
      .map(copy);
  }
}
