/** A rollout strategy shared across an application's feature values. */
export interface ApplicationStrategy {
  id: string;
  applicationId: string;
  name: string;
  /** "@" + 3 alphanumerics; the id the strategy is published under */
  code: string;
  /** The strategy body (attributes, percentage, ...) as the API gave it. */
  strategy: unknown;
  whoChanged: string | null;
  version: number;
  whenCreated: Date;
  whenUpdated: Date;
  whenArchived: Date | null;
}

export interface CreateApplicationStrategy {
  applicationId: string;
  name: string;
  code: string;
  strategy: unknown;
  whoChanged?: string | null;
}

export interface UpdateApplicationStrategy {
  name?: string;
  strategy?: unknown;
  whoChanged?: string | null;
  version?: number;
}

export interface ApplicationStrategyStore {
  /** @throws ConflictError when a live strategy of the application has the name or code */
  create(input: CreateApplicationStrategy): Promise<ApplicationStrategy>;
  findById(id: string, options?: { includeArchived?: boolean }): Promise<ApplicationStrategy | undefined>;
  /** ordered by name */
  list(query: { applicationId: string; includeArchived?: boolean }): Promise<ApplicationStrategy[]>;
  update(id: string, patch: UpdateApplicationStrategy): Promise<ApplicationStrategy>;
  /** Archives it and detaches it from every feature value using it. */
  archive(id: string): Promise<ApplicationStrategy>;
}
