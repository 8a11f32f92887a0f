export interface Application {
  id: string;
  portfolioId: string;
  name: string;
  description: string | null;
  createdBy: string | null;
  version: number;
  whenCreated: Date;
  whenUpdated: Date;
  whenArchived: Date | null;
}

export interface CreateApplication {
  portfolioId: string;
  name: string;
  description?: string | null;
  createdBy?: string | null;
}

/** Missing fields stay unchanged, null clears; `version`, when given, must match. */
export interface UpdateApplication {
  name?: string;
  description?: string | null;
  version?: number;
}

export interface ApplicationQuery {
  portfolioId?: string;
  includeArchived?: boolean;
  /** case-insensitive substring of the name */
  nameContains?: string;
  ids?: readonly string[];
}

export interface ApplicationStore {
  /** @throws ConflictError when a live application of the portfolio has the name */
  create(input: CreateApplication): Promise<Application>;
  findById(id: string, options?: { includeArchived?: boolean }): Promise<Application | undefined>;
  findByName(portfolioId: string, name: string): Promise<Application | undefined>;
  /** ordered by name */
  list(query: ApplicationQuery): Promise<Application[]>;
  update(id: string, patch: UpdateApplication): Promise<Application>;
  /** Archives the application with its environments, features, strategies and feature groups. */
  archive(id: string): Promise<Application>;
}
