export interface Portfolio {
  id: string;
  organisationId: string;
  name: string;
  description: string | null;
  createdBy: string | null;
  version: number;
  whenCreated: Date;
  whenUpdated: Date;
  whenArchived: Date | null;
}

export interface CreatePortfolio {
  organisationId: string;
  name: string;
  description?: string | null;
  createdBy?: string | null;
}

/** Missing fields stay unchanged, null clears; `version`, when given, must match. */
export interface UpdatePortfolio {
  name?: string;
  description?: string | null;
  version?: number;
}

export interface PortfolioQuery {
  organisationId: string;
  includeArchived?: boolean;
  /** case-insensitive substring of the name */
  nameContains?: string;
  /** only these portfolios */
  ids?: readonly string[];
}

export interface PortfolioStore {
  /** @throws ConflictError when a live portfolio of the organisation has the name */
  create(input: CreatePortfolio): Promise<Portfolio>;
  findById(id: string, options?: { includeArchived?: boolean }): Promise<Portfolio | undefined>;
  findByName(organisationId: string, name: string): Promise<Portfolio | undefined>;
  /** ordered by name */
  list(query: PortfolioQuery): Promise<Portfolio[]>;
  update(id: string, patch: UpdatePortfolio): Promise<Portfolio>;
  /**
   * Archives the portfolio and, with it, its applications (and their environments, features,
   * strategies and feature groups), groups and service accounts. Their names become free.
   */
  archive(id: string): Promise<Portfolio>;
}
