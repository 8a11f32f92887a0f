import { BadRequestError } from '@fh/service-kit';
import type { FastifyInstance } from 'fastify';
import type {
  CreateEnvironment as ApiCreateEnvironment,
  UpdateEnvironment as ApiUpdateEnvironment,
} from '../api/index.ts';
import { route } from '../api/mr-api-plugin.ts';
import type { MrContext } from '../core/mr-context.ts';
import type { Access } from '../permission/access.ts';
import { toApiEnvironment } from './environment-mapper.ts';
import {
  createEnvironment,
  deleteEnvironment,
  type EnvironmentChanges,
  getEnvironment,
  listEnvironments,
  type NewEnvironment,
  reorderEnvironments,
  requireWebhookSecretsReader,
  updateEnvironment,
} from './environment-service.ts';

function newEnvironment(body: ApiCreateEnvironment): NewEnvironment {
  return {
    name: body.name,
    description: body.description,
    production: body.production ?? false,
    // null and absent both mean "after the current last", as upstream
    ...(body.priorEnvironmentId ? { priorEnvironmentId: body.priorEnvironmentId } : {}),
    ...(body.environmentInfo ? { environmentInfo: body.environmentInfo } : {}),
  };
}

/**
 * The fields of UpdateEnvironment(V2) and of the deprecated full Environment update. A null name,
 * production, info map or predecessor leaves it unchanged (clients send whole objects); a null
 * description clears it.
 */
function environmentChanges(
  body: Omit<ApiUpdateEnvironment, 'version'> & { version?: number },
): EnvironmentChanges {
  if (body.version === undefined) throw new BadRequestError('body/version is required');
  return {
    version: body.version,
    ...(body.name != null ? { name: body.name } : {}),
    ...(body.description !== undefined ? { description: body.description } : {}),
    ...(body.production != null ? { production: body.production } : {}),
    ...(body.environmentInfo != null ? { environmentInfo: body.environmentInfo } : {}),
    ...(body.webhookEnvironmentInfo != null ? { webhookEnvironmentInfo: body.webhookEnvironmentInfo } : {}),
    ...(body.priorEnvironmentId != null ? { priorEnvironmentId: body.priorEnvironmentId } : {}),
  };
}

/** Registers the environment operations of the admin API (docs/admin-api-rules.md §Environments). */
export function registerEnvironmentRoutes(app: FastifyInstance, ctx: MrContext): void {
  route(app, 'findEnvironments', async (request) => {
    const access = await ctx.access(request);
    const q = request.query;
    const views = await listEnvironments(ctx.stores, access, request.params.id, {
      ...(q.order ? { order: q.order } : {}),
      ...(q.filter !== undefined ? { filter: q.filter } : {}),
      includes: { acls: q.includeAcls, features: q.includeFeatures, details: q.includeDetails },
    });
    return views.map(toApiEnvironment);
  });

  const create = async (applicationId: string, body: ApiCreateEnvironment, access: Access) =>
    toApiEnvironment(
      await ctx.uow.run((tx, changes) =>
        createEnvironment(tx, changes, access, applicationId, newEnvironment(body)),
      ),
    );
  route(app, 'createEnvironmentOnApplication', async (request) =>
    create(request.params.id, request.body, await ctx.access(request)),
  );
  // deprecated alias of the above
  route(app, 'createEnvironment', async (request) =>
    create(request.params.id, request.body, await ctx.access(request)),
  );

  route(app, 'updateEnvironmentOnApplication', async (request) => {
    const access = await ctx.access(request);
    const view = await ctx.uow.run((tx, changes) =>
      updateEnvironment(tx, changes, access, request.body.id, environmentChanges(request.body), {
        inApplication: request.params.id,
        sealWebhookInfo: ctx.sealWebhookInfo,
      }),
    );
    return toApiEnvironment(view);
  });

  route(app, 'environmentOrdering', async (request) => {
    const access = await ctx.access(request);
    const placements = request.body.map((e) => ({
      id: e.id,
      priorEnvironmentId: e.priorEnvironmentId ?? null,
      version: e.version,
    }));
    const views = await ctx.uow.run((tx, changes) =>
      reorderEnvironments(tx, changes, access, request.params.id, placements),
    );
    return views.map(toApiEnvironment);
  });

  route(app, 'getEnvironment', async (request) => {
    const access = await ctx.access(request);
    const q = request.query;
    const view = await getEnvironment(ctx.stores, access, request.params.eid, {
      acls: q.includeAcls,
      features: q.includeFeatures,
      details: q.includeDetails,
      serviceAccounts: q.includeServiceAccounts || q.includeSdkUrl,
      sdkUrls: q.includeSdkUrl,
    });
    // Upstream shows webhook settings with includeDetails only, so decrypting needs both flags.
    if (q.decryptWebhookDetails === true && q.includeDetails === true) {
      requireWebhookSecretsReader(view);
      view.webhookInClear = ctx.revealWebhookInfo(view.environment.webhookEnvironmentInfo);
    }
    return toApiEnvironment(view);
  });

  route(app, 'updateEnvironment', async (request) => {
    const access = await ctx.access(request);
    const view = await ctx.uow.run((tx, changes) =>
      updateEnvironment(tx, changes, access, request.params.eid, environmentChanges(request.body), {
        sealWebhookInfo: ctx.sealWebhookInfo,
      }),
    );
    return toApiEnvironment(view);
  });

  route(app, 'updateEnvironmentV2', async (request) => {
    const access = await ctx.access(request);
    const view = await ctx.uow.run((tx, changes) =>
      updateEnvironment(tx, changes, access, request.params.eid, environmentChanges(request.body), {
        sealWebhookInfo: ctx.sealWebhookInfo,
      }),
    );
    return toApiEnvironment(view);
  });

  route(app, 'deleteEnvironment', async (request) => {
    const access = await ctx.access(request);
    await ctx.uow.run((tx, changes) => deleteEnvironment(tx, changes, access, request.params.eid));
    return true;
  });
}
