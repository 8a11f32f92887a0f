import { BadRequestError } from '@fh/service-kit';
import type { FastifyInstance } from 'fastify';
import type { Person as ApiPerson, SearchPersonResult } from '../api/index.ts';
import { route } from '../api/mr-api-plugin.ts';
import type { MrContext } from '../core/mr-context.ts';
import type { Stores } from '../db/stores.ts';
import { apiGroupsOfPerson } from '../group/group-queries.ts';
import { toApiPerson, toApiSearchPerson } from './person-mapper.ts';
import { PersonService } from './person-service.ts';
import type { Person } from './person-store.ts';

async function withIncludes(
  stores: Stores,
  person: Person,
  q: { includeGroups?: boolean | undefined; includeAcls?: boolean | undefined; lastSeen?: boolean },
): Promise<ApiPerson> {
  const groups =
    q.includeGroups || q.includeAcls
      ? await apiGroupsOfPerson(stores, person.id, { includeAcls: q.includeAcls ?? false })
      : undefined;
  const whenLastSeen = q.lastSeen ? ((await stores.sessions.lastSeen(person.id)) ?? null) : undefined;
  return toApiPerson(person, {
    ...(groups ? { groups } : {}),
    ...(whenLastSeen !== undefined ? { whenLastSeen } : {}),
  });
}

/** People and admin service accounts (PersonService of the admin API). */
export function registerPersonRoutes(app: FastifyInstance, ctx: MrContext): void {
  const people = new PersonService({ clock: ctx.clock, settings: ctx.settings });

  route(app, 'findPeople', async (request) => {
    const access = await ctx.access(request);
    const q = request.query;
    const { persons, total } = await people.find(ctx.stores, access, q);
    const result: SearchPersonResult = {
      max: total,
      outstandingRegistrations: await people.outstandingRegistrations(ctx.stores, access, persons),
    };
    if (q.countGroups) {
      result.summarisedPeople = await Promise.all(
        persons.map(async (p) =>
          toApiSearchPerson(p, {
            groupCount: (await ctx.stores.groups.listGroupIdsForPerson(p.id)).length,
            whenLastSeen: q.includeLastLoggedIn ? ((await ctx.stores.sessions.lastSeen(p.id)) ?? null) : null,
          }),
        ),
      );
    } else {
      result.people = await Promise.all(
        persons.map((p) =>
          withIncludes(ctx.stores, p, {
            includeGroups: q.includeGroups,
            lastSeen: q.includeLastLoggedIn ?? false,
          }),
        ),
      );
    }
    return result;
  });

  route(app, 'createPerson', async (request) => {
    const access = await ctx.access(request);
    const created = await ctx.uow.run((tx) => people.create(tx, access, request.body));
    return {
      personId: created.person.id,
      token: created.token,
      ...(created.registrationUrl ? { registrationUrl: created.registrationUrl } : {}),
    };
  });

  route(app, 'getPerson', async (request) => {
    const access = await ctx.access(request);
    const person = await people.get(ctx.stores, access, ctx.principal(request), request.params.id);
    return withIncludes(ctx.stores, person, { ...request.query, lastSeen: true });
  });

  route(app, 'updatePersonV2', async (request) => {
    const access = await ctx.access(request);
    await ctx.uow.run((tx) => people.update(tx, access, request.params.id, request.body));
    return undefined;
  });

  route(app, 'updatePerson', async (request) => {
    const access = await ctx.access(request);
    const { name, email, version, groups } = request.body;
    if (version === undefined || version === null) throw new BadRequestError('version is required');
    const updated = await ctx.uow.run((tx) =>
      people.update(tx, access, request.params.id, {
        name,
        email,
        version,
        ...(groups ? { groups: groups.map((g) => g.id) } : {}),
      }),
    );
    return withIncludes(ctx.stores, updated, request.query);
  });

  route(app, 'deletePerson', async (request) => {
    const access = await ctx.access(request);
    const removeFromGroups = request.query.includeGroups ?? false;
    return ctx.uow.run((tx) => people.deactivate(tx, access, request.params.id, { removeFromGroups }));
  });

  route(app, 'resetSecurityToken', async (request) => {
    const access = await ctx.access(request);
    return { token: await ctx.uow.run((tx) => people.resetToken(tx, access, request.params.id)) };
  });
}
