import {
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
    const now = this.state.now();
    const s: ServiceAccount = {
      id: this.state.deps.ids.next(),
      portfolioId: input.portfolioId,
      name: input.name,
      description: input.description ?? null,
      apiKeyServerSide: input.apiKeyServerSide,
      apiKeyClientSide: input.apiKeyClientSide,
      sdkPersonId: input.sdkPersonId ?? null,
      createdBy: input.createdBy ?? null,
      changedBy: null,
      version: 1,
      whenCreated: now,
      whenUpdated: now,
      whenArchived: null,
      whenUnpublished: null,
    };
    this.state.tables.serviceAccounts.set(s.id, s);
    return copy(s);
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
    return [...this.state.tables.serviceAccounts.values()]
      .filter(
        (s) =>
          (query.portfolioId === undefined || s.portfolioId === query.portfolioId) &&
          (query.ids === undefined || query.ids.includes(s.id)) &&
          (query.includeArchived || isLive(s)) &&
          containsIgnoringCase(s.name, query.nameContains),
      )
      .sort(byName)
      .map(copy);
  }

  async update(id: string, patch: UpdateServiceAccount): Promise<ServiceAccount> {
    const current = findLive(this.state.tables.serviceAccounts, id);
    checkVersion('service account', id, current, patch.version);
    if (!current) notFound('service account', id);
    const { version: _v, ...fields } = patch;
    this.assertFree(current.portfolioId, fields, id);
    const next = {
      ...applyPatch(current, fields),
      version: current.version + 1,
      whenUpdated: this.state.now(),
    };
    this.state.tables.serviceAccounts.set(id, next);
    return copy(next);
  }

  async archive(id: string): Promise<ServiceAccount> {
    if (archiveIn(this.state.tables.serviceAccounts, [id], this.state.now()) === 0)
      notFound('service account', id);
    return copy(this.state.tables.serviceAccounts.get(id)!);
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
