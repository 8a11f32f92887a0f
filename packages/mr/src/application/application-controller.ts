import { BadRequestError } from '@fh/service-kit';
import type { FastifyInstance } from 'fastify';
import type { Application as ApiApplication } from '../api/index.ts';
import { route } from '../api/mr-api-plugin.ts';
import type { MrContext } from '../core/mr-context.ts';
import {
  toApiApplication,
  toApiApplicationPermissions,
  toApiApplicationSummary,
} from './application-mapper.ts';
import {
  type ApplicationChanges,
  applicationPermissions,
  applicationSummary,
  createApplication,
  deleteApplication,
  getApplication,
  listApplications,
  updateApplication,
} from './application-service.ts';

/** Name and description from an Application body; the version it was edited from is required. */
function applicationChanges(body: ApiApplication): ApplicationChanges {
  if (body.version === undefined) throw new BadRequestError('body/version is required');
  return {
    version: body.version,
    name: body.name,
    ...(body.description !== undefined ? { description: body.description } : {}),
  };
}

/** Registers the application operations of the admin API (docs/admin-api-rules.md §Applications). */
export function registerApplicationRoutes(app: FastifyInstance, ctx: MrContext): void {
  route(app, 'findApplications', async (request) => {
    const access = await ctx.access(request);
    const q = request.query;
    const views = await listApplications(ctx.stores, access, request.params.id, {
      ...(q.filter !== undefined ? { filter: q.filter } : {}),
      ...(q.order ? { order: q.order } : {}),
      includes: { environments: q.includeEnvironments, features: q.includeFeatures },
    });
    return views.map(toApiApplication);
  });

  route(app, 'createApplication', async (request) => {
    const access = await ctx.access(request);
    const q = request.query;
    const view = await ctx.uow.run((tx, changes) =>
      createApplication(
        tx,
        changes,
        access,
        ctx.settings,
        request.params.id,
        { name: request.body.name, description: request.body.description },
        { environments: q.includeEnvironments, features: q.includeFeatures },
      ),
    );
    return toApiApplication(view);
  });

  route(app, 'updateApplicationOnPortfolio', async (request) => {
    const access = await ctx.access(request);
    const q = request.query;
    const view = await ctx.uow.run((tx) =>
      updateApplication(tx, access, request.body.id, applicationChanges(request.body), {
        inPortfolio: request.params.id,
        includes: { environments: q.includeEnvironments, features: q.includeFeatures },
      }),
    );
    return toApiApplication(view);
  });

  route(app, 'getApplication', async (request) => {
    const access = await ctx.access(request);
    const view = await getApplication(ctx.stores, access, request.params.appId, {
      environments: request.query.includeEnvironments,
    });
    return toApiApplication(view);
  });

  route(app, 'updateApplication', async (request) => {
    const access = await ctx.access(request);
    const view = await ctx.uow.run((tx) =>
      updateApplication(tx, access, request.params.appId, applicationChanges(request.body), {
        includes: { environments: request.query.includeEnvironments },
      }),
    );
    return toApiApplication(view);
  });

  route(app, 'deleteApplication', async (request) => {
    const access = await ctx.access(request);
    await ctx.uow.run((tx, changes) => deleteApplication(tx, changes, access, request.params.appId));
    return true;
  });

  route(app, 'summaryApplication', async (request) => {
    const access = await ctx.access(request);
    return toApiApplicationSummary(await applicationSummary(ctx.stores, access, request.params.appId));
  });

  route(app, 'applicationPermissions', async (request) => {
    const access = await ctx.access(request);
    return toApiApplicationPermissions(await applicationPermissions(ctx.stores, access, request.params.id));
  });
}
