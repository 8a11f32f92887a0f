/** String-to-string settings stored with an environment (environmentInfo and friends). */
export type EnvironmentInfo = Record<string, string>;

export interface Environment {
  id: string;
  applicationId: string;
  name: string;
  description: string | null;
  /** cosmetic: the UI warns harder before deleting it */
  production: boolean;
  /** the environment before this one in promotion order; null for the first */
  priorEnvironmentId: string | null;
  /** user environment info (API `environmentInfo`) */
  environmentInfo: EnvironmentInfo;
  /** ops-only `mgmt.*` settings */
  managementEnvironmentInfo: EnvironmentInfo;
  /** webhook and integration settings (API `webhookEnvironmentInfo`) */
  webhookEnvironmentInfo: EnvironmentInfo;
  version: number;
  whenCreated: Date;
  whenUpdated: Date;
  whenArchived: Date | null;
  whenUnpublished: Date | null;
}

export interface CreateEnvironment {
  applicationId: string;
  name: string;
  description?: string | null;
  production?: boolean;
  /**
   * Where it goes in promotion order: omitted = after the current last; an id = right after that
   * environment (its old successor now follows the new one); null = first.
   */
  priorEnvironmentId?: string | null;
  environmentInfo?: EnvironmentInfo;
  managementEnvironmentInfo?: EnvironmentInfo;
  webhookEnvironmentInfo?: EnvironmentInfo;
}

/**
 * Missing fields stay unchanged, null clears; info maps are replaced whole (merging is the service's
 * job). `priorEnvironmentId` is set as given: ordering rules (no cycles) are the service's job.
 */
export interface UpdateEnvironment {
  name?: string;
  description?: string | null;
  production?: boolean;
  priorEnvironmentId?: string | null;
  environmentInfo?: EnvironmentInfo;
  managementEnvironmentInfo?: EnvironmentInfo;
  webhookEnvironmentInfo?: EnvironmentInfo;
  whenUnpublished?: Date | null;
  version?: number;
}

export interface EnvironmentQuery {
  applicationId?: string;
  ids?: readonly string[];
  includeArchived?: boolean;
}

export interface EnvironmentStore {
  /** @throws ConflictError when a live environment of the application has the name */
  create(input: CreateEnvironment): Promise<Environment>;
  findById(id: string, options?: { includeArchived?: boolean }): Promise<Environment | undefined>;
  findByName(applicationId: string, name: string): Promise<Environment | undefined>;
  /** In promotion order per application (see orderByPromotion). */
  list(query: EnvironmentQuery): Promise<Environment[]>;
  update(id: string, patch: UpdateEnvironment): Promise<Environment>;
  /**
   * Archives the environment: its successors now follow its predecessor, its feature groups are
   * archived and the group and service-account permissions on it are removed.
   */
  archive(id: string): Promise<Environment>;
}

/**
 * Sorts environments along their priorEnvironmentId links, first environment first. An environment whose
 * prior is not in the list starts a chain of its own, after the earlier-created chains; environments
 * caught in a cycle come last in creation order, so nothing is ever lost.
 */
export function orderByPromotion<E extends Pick<Environment, 'id' | 'priorEnvironmentId' | 'whenCreated'>>(
  envs: readonly E[],
): E[] {
  const byCreation = [...envs].sort(
    (a, b) => a.whenCreated.getTime() - b.whenCreated.getTime() || a.id.localeCompare(b.id),
  );
  const ids = new Set(envs.map((e) => e.id));
  const successors = new Map<string, E[]>();
  for (const e of byCreation) {
    const key = e.priorEnvironmentId && ids.has(e.priorEnvironmentId) ? e.priorEnvironmentId : '';
    successors.set(key, [...(successors.get(key) ?? []), e]);
  }
  const out: E[] = [];
  const seen = new Set<string>();
  const walk = (key: string) => {
    for (const e of successors.get(key) ?? []) {
      if (seen.has(e.id)) continue;
      seen.add(e.id);
      out.push(e);
      walk(e.id);
    }
  };
  walk('');
  for (const e of byCreation) if (!seen.has(e.id)) out.push(e);
  return out;
}
