import {
  archiveGroupsCascade,
  assertFreeAmongLive,
  copy,
  type FakeState,
  findLive,
  insertLive,
  isLive,
  listByName,
  notFound,
  updateLive,
} from '../db/fake-state.ts';
import type {
  ApplicationAcl,
  ApplicationRole,
  CreateGroup,
  EnvironmentAcl,
  EnvironmentRole,
  Group,
  GroupQuery,
  GroupStore,
  UpdateGroup,
} from './group-store.ts';

const scopeOf = (g: { portfolioId: string | null; organisationId: string }) =>
  g.portfolioId ?? g.organisationId;
const byKeys = <T>(a: T, b: T, ...keys: (keyof T)[]) => {
  for (const k of keys) {
    if (a[k] < b[k]) return -1;
    if (a[k] > b[k]) return 1;
  }
  return 0;
};

export class FakeGroupStore implements GroupStore {
  constructor(private readonly state: FakeState) {}

  private assertNameFree(scope: string, name: string, selfId?: string) {
    assertFreeAmongLive(
      this.state.tables.groups,
      (g) => scopeOf(g) === scope && g.name === name,
      selfId,
      `a group named "${name}" already exists`,
    );
  }

  async create(input: CreateGroup): Promise<Group> {
    this.assertNameFree(input.portfolioId ?? input.organisationId, input.name);
    return insertLive(this.state, this.state.tables.groups, {
      organisationId: input.organisationId,
      portfolioId: input.portfolioId ?? null,
      name: input.name,
      admin: input.admin ?? false,
      createdBy: input.createdBy ?? null,
    });
  }

  async findById(id: string, options: { includeArchived?: boolean } = {}): Promise<Group | undefined> {
    const g = findLive(this.state.tables.groups, id, options.includeArchived);
    return g && copy(g);
  }

  async findAdminGroup(organisationId: string, portfolioId: string | null): Promise<Group | undefined> {
    const g = [...this.state.tables.groups.values()]
      .filter(
        (g) => isLive(g) && g.admin && g.organisationId === organisationId && g.portfolioId === portfolioId,
      )
      .sort((a, b) => a.whenCreated.getTime() - b.whenCreated.getTime())[0];
    return g && copy(g);
  }

  async list(query: GroupQuery): Promise<Group[]> {
    return listByName(
      this.state.tables.groups,
      (g) =>
        (query.organisationId === undefined || g.organisationId === query.organisationId) &&
        (query.portfolioId === undefined || g.portfolioId === query.portfolioId),
      query,
    );
  }

  async update(id: string, patch: UpdateGroup): Promise<Group> {
    return updateLive(this.state, this.state.tables.groups, 'group', id, patch, (current) => {
      if (patch.name !== undefined) this.assertNameFree(scopeOf(current), patch.name, id);
    });
  }

  async archive(id: string): Promise<Group> {
    if (!findLive(this.state.tables.groups, id)) notFound('group', id);
    archiveGroupsCascade(this.state.tables, new Set([id]), this.state.now());
    return copy(this.state.tables.groups.get(id)!);
  }

  async addMember(groupId: string, personId: string): Promise<void> {
    this.state.tables.groupMembers.add(`${groupId}|${personId}`);
  }

  async removeMember(groupId: string, personId: string): Promise<void> {
    this.state.tables.groupMembers.delete(`${groupId}|${personId}`);
  }

  async listMemberIds(groupId: string): Promise<string[]> {
    return [...this.state.tables.groupMembers]
      .map((k) => k.split('|') as [string, string])
      .filter(([g]) => g === groupId)
      .map(([, p]) => p)
      .sort();
  }

  async listGroupIdsForPerson(personId: string): Promise<string[]> {
    return [...this.state.tables.groupMembers]
      .map((k) => k.split('|') as [string, string])
      .filter(([g, p]) => p === personId && findLive(this.state.tables.groups, g))
      .map(([g]) => g)
      .sort();
  }

  async setApplicationRoles(
    groupId: string,
    applicationId: string,
    roles: readonly ApplicationRole[],
  ): Promise<void> {
    const key = `${groupId}|${applicationId}`;
    if (roles.length === 0) this.state.tables.applicationAcls.delete(key);
    else this.state.tables.applicationAcls.set(key, { groupId, applicationId, roles: [...new Set(roles)] });
  }

  async setEnvironmentRoles(
    groupId: string,
    environmentId: string,
    roles: readonly EnvironmentRole[],
  ): Promise<void> {
    const key = `${groupId}|${environmentId}`;
    if (roles.length === 0) this.state.tables.environmentAcls.delete(key);
    else this.state.tables.environmentAcls.set(key, { groupId, environmentId, roles: [...new Set(roles)] });
  }

  async listApplicationAcls(query: {
    groupIds?: readonly string[];
    applicationId?: string;
  }): Promise<ApplicationAcl[]> {
    return [...this.state.tables.applicationAcls.values()]
      .filter(
        (a) =>
          (query.groupIds === undefined || query.groupIds.includes(a.groupId)) &&
          (query.applicationId === undefined || a.applicationId === query.applicationId),
      )
      .sort((a, b) => byKeys(a, b, 'groupId', 'applicationId'))
      .map(copy);
  }

  async listEnvironmentAcls(query: {
    groupIds?: readonly string[];
    environmentIds?: readonly string[];
  }): Promise<EnvironmentAcl[]> {
    return [...this.state.tables.environmentAcls.values()]
      .filter(
        (a) =>
          (query.groupIds === undefined || query.groupIds.includes(a.groupId)) &&
          (query.environmentIds === undefined || query.environmentIds.includes(a.environmentId)),
      )
      .sort((a, b) => byKeys(a, b, 'groupId', 'environmentId'))
      .map(copy);
  }
}
