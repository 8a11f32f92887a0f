import type { EnvironmentRole } from '../group/group-store.ts';

/** An SDK service account: the holder of API keys. */
export interface ServiceAccount {
  id: string;
  portfolioId: string;
  name: string;
  description: string | null;
  /** 40 alphanumerics */
  apiKeyServerSide: string;
  /** 30 alphanumerics + "*" + 20 alphanumerics */
  apiKeyClientSide: string;
  /** the hidden person recorded as "who updated" for Test-SDK changes */
  sdkPersonId: string | null;
  createdBy: string | null;
  changedBy: string | null;
  version: number;
  whenCreated: Date;
  whenUpdated: Date;
  whenArchived: Date | null;
  whenUnpublished: Date | null;
}

export interface ServiceAccountPermission {
  serviceAccountId: string;
  environmentId: string;
  roles: EnvironmentRole[];
}

export interface CreateServiceAccount {
  portfolioId: string;
  name: string;
  description?: string | null;
  apiKeyServerSide: string;
  apiKeyClientSide: string;
  sdkPersonId?: string | null;
  createdBy?: string | null;
}

/** Missing fields stay unchanged, null clears; `version`, when given, must match. */
export interface UpdateServiceAccount {
  name?: string;
  description?: string | null;
  apiKeyServerSide?: string;
  apiKeyClientSide?: string;
  sdkPersonId?: string | null;
  changedBy?: string | null;
  whenUnpublished?: Date | null;
  version?: number;
}

export interface ServiceAccountQuery {
  portfolioId?: string;
  ids?: readonly string[];
  includeArchived?: boolean;
}

export interface ServiceAccountStore {
  /** @throws ConflictError when a live account of the portfolio has the name, or a key is taken */
  create(input: CreateServiceAccount): Promise<ServiceAccount>;
  findById(id: string, options?: { includeArchived?: boolean }): Promise<ServiceAccount | undefined>;
  /** The live account owning the key (server-side or client-side). */
  findByApiKey(apiKey: string): Promise<ServiceAccount | undefined>;
  /** ordered by name */
  list(query: ServiceAccountQuery): Promise<ServiceAccount[]>;
  update(id: string, patch: UpdateServiceAccount): Promise<ServiceAccount>;
  /** Archives the account: its keys stop resolving and its name becomes free. */
  archive(id: string): Promise<ServiceAccount>;

  /** Replaces all the account's environment permissions (entries with no roles are dropped) and bumps its version. */
  setPermissions(
    serviceAccountId: string,
    permissions: readonly { environmentId: string; roles: readonly EnvironmentRole[] }[],
  ): Promise<void>;
  listPermissions(query: {
    serviceAccountIds?: readonly string[];
    environmentIds?: readonly string[];
  }): Promise<ServiceAccountPermission[]>;
}
