import { BadRequestError } from '@fh/service-kit';
import type { FastifyInstance } from 'fastify';
import type { Group as ApiGroup, OperationQuery } from '../api/index.ts';
import { route } from '../api/mr-api-plugin.ts';
import type { MrContext } from '../core/mr-context.ts';
import type { Stores } from '../db/stores.ts';
import { type GroupExtras, toApiGroup } from './group-mapper.ts';
import { apiMembersOf, apiSimpleMembersOf } from './group-queries.ts';
import { GroupService, type UpdateGroupInput } from './group-service.ts';
import type { Group } from './group-store.ts';

async function withIncludes(
  stores: Stores,
  service: GroupService,
  group: Group,
  q: {
    members?: boolean | undefined;
    membersV2?: boolean | undefined;
    roles?: boolean | undefined;
    applicationId?: string | undefined;
  },
): Promise<ApiGroup> {
  const extras: GroupExtras = {};
  if (q.members) extras.members = await apiMembersOf(stores, group);
  if (q.membersV2) Object.assign(extras, await apiSimpleMembersOf(stores, group));
  if (q.roles) {
    const roles = await service.roles(stores, group, q.applicationId);
    extras.applicationAcls = roles.applicationAcls;
    extras.environmentAcls = roles.environmentAcls;
  }
  return toApiGroup(group, extras);
}

/** Maps a Group body and the update flags to what the service changes. */
function updateInput(
  body: ApiGroup,
  q: OperationQuery<'updateGroup'>,
): Omit<UpdateGroupInput, 'portfolioId'> {
  const input: Omit<UpdateGroupInput, 'portfolioId'> = { name: body.name, version: body.version };
  if (q.updateMembers) {
    input.members = (body.members ?? []).map((m) => {
      const id = m.id?.id;
      if (!id) throw new BadRequestError('Every member needs an id');
      return id;
    });
  }
  if (q.updateApplicationGroupRoles) input.applicationRoles = body.applicationRoles ?? [];
  if (q.updateEnvironmentGroupRoles) input.environmentRoles = body.environmentRoles ?? [];
  if (q.applicationId) input.applicationId = q.applicationId;
  return input;
}

/** Groups, memberships and group roles (GroupService of the admin API). */
export function registerGroupRoutes(app: FastifyInstance, ctx: MrContext): void {
  const groups = new GroupService();
  const include = (group: Group, q: Parameters<typeof withIncludes>[3]) =>
    withIncludes(ctx.stores, groups, group, q);

  route(app, 'findGroups', async (request) => {
    const access = await ctx.access(request);
    const { includePeople, order, filter } = request.query;
    const found = await groups.findInPortfolio(ctx.stores, access, request.params.id, { order, filter });
    return Promise.all(found.map((g) => include(g, { members: includePeople })));
  });

  route(app, 'createGroup', async (request) => {
    const access = await ctx.access(request);
    const group = await ctx.uow.run((tx) => groups.create(tx, access, request.params.id, request.body));
    return include(group, { members: request.query.includePeople, roles: true });
  });

  route(app, 'getGroup', async (request) => {
    const access = await ctx.access(request);
    const { includeMembers, includeMembersV2, includeGroupRoles, byApplicationId } = request.query;
    const group = await groups.get(ctx.stores, access, request.params.gid);
    return include(group, {
      members: includeMembers,
      membersV2: includeMembersV2,
      roles: includeGroupRoles,
      applicationId: byApplicationId,
    });
  });

  route(app, 'getSuperuserGroup', async (request) => {
    const access = await ctx.access(request);
    const group = await groups.superuserGroup(ctx.stores, access, request.params.id);
    return include(group, { members: true });
  });

  route(app, 'updateGroup', async (request) => {
    const access = await ctx.access(request);
    const q = request.query;
    const input = updateInput(request.body, q);
    const group = await ctx.uow.run((tx) => groups.update(tx, access, request.params.gid, input));
    return include(group, { members: q.includeMembers, roles: q.includeGroupRoles });
  });

  route(app, 'updateGroupOnPortfolio', async (request) => {
    const access = await ctx.access(request);
    const q = request.query;
    const input = { ...updateInput(request.body, q), portfolioId: request.params.id };
    const group = await ctx.uow.run((tx) => groups.update(tx, access, request.body.id, input));
    return include(group, { members: q.includeMembers || q.includePeople, roles: q.includeGroupRoles });
  });

  route(app, 'deleteGroup', async (request) => {
    const access = await ctx.access(request);
    return ctx.uow.run((tx) => groups.delete(tx, access, request.params.gid));
  });

  route(app, 'addPersonToGroup', async (request) => {
    const access = await ctx.access(request);
    const { gid, pId } = request.params;
    const group = await ctx.uow.run((tx) => groups.addMember(tx, access, gid, pId));
    return include(group, {
      members: request.query.includeMembers,
      membersV2: request.query.includeMembersV2,
    });
  });

  route(app, 'deletePersonFromGroup', async (request) => {
    const access = await ctx.access(request);
    const { gid, pId } = request.params;
    const group = await ctx.uow.run((tx) => groups.removeMember(tx, access, gid, pId));
    return include(group, {
      members: request.query.includeMembers,
      membersV2: request.query.includeMembersV2,
    });
  });

  // ---- API 1.2.6 ----

  // The group's name and roles by the UpdateGroup body; members are never changed here.
  route(app, 'updateGroupOnPortfolioV2', async (request) => {
    const access = await ctx.access(request);
    const q = request.query;
    const body = request.body;
    const input: UpdateGroupInput = { portfolioId: request.params.id, version: body.version };
    if (body.name != null) input.name = body.name;
    if (q.updateApplicationGroupRoles) input.applicationRoles = body.applicationRoles ?? [];
    if (q.updateEnvironmentGroupRoles) input.environmentRoles = body.environmentRoles ?? [];
    if (q.applicationId) input.applicationId = q.applicationId;
    const group = await ctx.uow.run((tx) => groups.update(tx, access, body.id, input));
    return include(group, {
      members: q.includeMembers || q.includePeople,
      membersV2: q.includeMembersV2,
      roles: q.includeGroupRoles,
    });
  });

  route(app, 'addPersonsToGroup', async (request) => {
    const access = await ctx.access(request);
    const q = request.query;
    const group = await ctx.uow.run((tx) =>
      groups.addMembers(tx, access, request.params.gid, { ids: q.personId ?? [], emails: q.email ?? [] }),
    );
    return include(group, { membersV2: q.includeMembersV2 });
  });
}
