import type { APPLICATION_ROLE_TYPES, RoleType } from '@fh/contracts';

/** Roles a group (or SDK service account) holds in an environment. Any non-empty set implies READ. */
export type EnvironmentRole = RoleType;

/** Roles a group holds on an application. */
export type ApplicationRole = (typeof APPLICATION_ROLE_TYPES)[number];

export interface Group {
  id: string;
  organisationId: string;
  /** null for organisation-level groups (the superuser group) */
  portfolioId: string | null;
  name: string;
  /** superuser group (organisation level) or portfolio admin group */
  admin: boolean;
  createdBy: string | null;
  version: number;
  whenCreated: Date;
  whenUpdated: Date;
  whenArchived: Date | null;
}

export interface CreateGroup {
  organisationId: string;
  portfolioId?: string | null;
  name: string;
  admin?: boolean;
  createdBy?: string | null;
}

/** Missing fields stay unchanged; `version`, when given, must match. */
export interface UpdateGroup {
  name?: string;
  version?: number;
}

export interface GroupQuery {
  organisationId?: string;
  /** a portfolio id, or null for organisation-level groups only */
  portfolioId?: string | null;
  ids?: readonly string[];
  includeArchived?: boolean;
  nameContains?: string;
}

export interface ApplicationAcl {
  groupId: string;
  applicationId: string;
  roles: ApplicationRole[];
}

export interface EnvironmentAcl {
  groupId: string;
  environmentId: string;
  roles: EnvironmentRole[];
}

export interface GroupStore {
  /** @throws ConflictError when a live group in the same portfolio (or organisation) has the name */
  create(input: CreateGroup): Promise<Group>;
  findById(id: string, options?: { includeArchived?: boolean }): Promise<Group | undefined>;
  /** The superuser group (portfolioId null) or a portfolio's admin group. */
  findAdminGroup(organisationId: string, portfolioId: string | null): Promise<Group | undefined>;
  /** ordered by name */
  list(query: GroupQuery): Promise<Group[]>;
  update(id: string, patch: UpdateGroup): Promise<Group>;
  /** Archives the group and removes its members and permissions. */
  archive(id: string): Promise<Group>;

  /** Idempotent. */
  addMember(groupId: string, personId: string): Promise<void>;
  removeMember(groupId: string, personId: string): Promise<void>;
  listMemberIds(groupId: string): Promise<string[]>;
  /** Live groups the person belongs to. */
  listGroupIdsForPerson(personId: string): Promise<string[]>;

  /** Replaces the group's roles on the application; an empty list removes them. */
  setApplicationRoles(
    groupId: string,
    applicationId: string,
    roles: readonly ApplicationRole[],
  ): Promise<void>;
  /** Replaces the group's roles in the environment; an empty list removes them. */
  setEnvironmentRoles(
    groupId: string,
    environmentId: string,
    roles: readonly EnvironmentRole[],
  ): Promise<void>;
  listApplicationAcls(query: {
    groupIds?: readonly string[];
    applicationId?: string;
  }): Promise<ApplicationAcl[]>;
  listEnvironmentAcls(query: {
    groupIds?: readonly string[];
    environmentIds?: readonly string[];
  }): Promise<EnvironmentAcl[]>;
}
