import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ServiceAccount as ApiServiceAccount } from '../api/index.ts';
import { route } from '../api/mr-api-plugin.ts';
import type { MrContext } from '../core/mr-context.ts';
import { toApiServiceAccount, toKeysToReset } from './service-account-mapper.ts';
import {
  type ServiceAccountActor,
  ServiceAccountService,
  type UpdateServiceAccountInput,
} from './service-account-service.ts';

/** Registers the SDK service-account operations of the admin API (ServiceAccountService). */
export function registerServiceAccountRoutes(app: FastifyInstance, ctx: MrContext): void {
  const service = new ServiceAccountService();
  const actor = async (request: FastifyRequest): Promise<ServiceAccountActor> => ({
    personId: ctx.principal(request).personId,
    access: await ctx.access(request),
  });

  route(app, 'searchServiceAccountsInPortfolio', async (request) => {
    const who = await actor(request);
    const q = request.query;
    const found = await service.search(ctx.stores, who, request.params.id, {
      filter: q.filter,
      applicationId: q.applicationId,
      includePermissions: q.includePermissions,
      includeSdkUrls: q.includeSdkUrls,
    });
    return found.map(toApiServiceAccount);
  });

  route(app, 'createServiceAccountInPortfolio', async (request) => {
    const who = await actor(request);
    const body = request.body;
    const created = await ctx.uow.run((tx, changes) =>
      service.create(
        tx,
        changes,
        who,
        request.params.id,
        {
          name: body.name,
          description: body.description ?? null,
          permissions: body.permissions ?? [],
          filters: body.featureFilter ?? null,
        },
        { includePermissions: request.query.includePermissions },
      ),
    );
    return toApiServiceAccount(created);
  });

  route(app, 'updateServiceAccountOnPortfolio', async (request) => {
    const who = await actor(request);
    const updated = await ctx.uow.run((tx, changes) =>
      service.update(
        tx,
        changes,
        who,
        {
          serviceAccountId: request.body.id,
          portfolioId: request.params.id,
          applicationId: request.query.appId,
        },
        updateInput(request.body),
        { includePermissions: request.query.includePermissions },
      ),
    );
    return toApiServiceAccount(updated);
  });

  route(app, 'updateServiceAccount', async (request) => {
    const who = await actor(request);
    const updated = await ctx.uow.run((tx, changes) =>
      service.update(tx, changes, who, { serviceAccountId: request.params.id }, updateInput(request.body), {
        includePermissions: request.query.includePermissions,
      }),
    );
    return toApiServiceAccount(updated);
  });

  route(app, 'getServiceAccount', async (request) => {
    const who = await actor(request);
    const found = await service.get(ctx.stores, who, request.params.id, {
      includePermissions: request.query.includePermissions,
      applicationId: request.query.byApplicationId,
    });
    return toApiServiceAccount(found);
  });

  route(app, 'deleteServiceAccount', async (request) => {
    const who = await actor(request);
    await ctx.uow.run((tx, changes) => service.delete(tx, changes, who, request.params.id));
    return true;
  });

  route(app, 'resetApiKey', async (request) => {
    const who = await actor(request);
    const reset = await ctx.uow.run((tx, changes) =>
      service.resetApiKey(tx, changes, who, request.params.id, toKeysToReset(request.query.apiKeyType)),
    );
    return toApiServiceAccount(reset);
  });
}

/** `permsInvalid` is not in the 1.2.5 schema but upstream clients send it; API 1.2.6 declares it. */
function updateInput(body: ApiServiceAccount): UpdateServiceAccountInput {
  return {
    name: body.name,
    ...(body.description !== undefined ? { description: body.description } : {}),
    ...(body.version !== undefined ? { version: body.version } : {}),
    ...(body.permissions !== undefined ? { permissions: body.permissions } : {}),
    permsInvalid: body.permsInvalid === true,
    ...(body.featureFilters !== undefined ? { filters: body.featureFilters } : {}),
  };
}
