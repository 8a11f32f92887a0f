/** The single organisation of an install (OSS FeatureHub has exactly one). */
export interface Organisation {
  id: string;
  name: string;
  /** The superuser ("org_admin") group, once created. */
  groupId: string | null;
  version: number;
  whenCreated: Date;
  whenUpdated: Date;
  whenArchived: Date | null;
}

export interface CreateOrganisation {
  /**
   * A chosen id instead of a generated one. Setup uses a fixed id so that, of two concurrent setups,
   * the database's primary key lets exactly one commit.
   */
  id?: string;
  name: string;
  groupId?: string | null;
}

/** Missing fields stay unchanged; `version`, when given, must match. */
export interface UpdateOrganisation {
  name?: string;
  groupId?: string | null;
  version?: number;
}

export interface OrganisationStore {
  /** @throws ConflictError when an organisation with the given id exists */
  create(input: CreateOrganisation): Promise<Organisation>;
  findById(id: string): Promise<Organisation | undefined>;
  /** The oldest live organisation: the install's organisation. */
  findFirst(): Promise<Organisation | undefined>;
  update(id: string, patch: UpdateOrganisation): Promise<Organisation>;
}
