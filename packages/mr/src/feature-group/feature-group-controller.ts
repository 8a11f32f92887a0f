import type { FastifyInstance } from 'fastify';
import { route } from '../api/mr-api-plugin.ts';
import type { MrContext } from '../core/mr-context.ts';
import { InvalidRolloutStrategiesError } from '../strategy/rollout-strategy-validation.ts';
import {
  toApiCandidateFeature,
  toApiFeatureGroup,
  toApiFeatureGroupList,
  toApiFeatureGroupListGroup,
  toFeatureGroupChanges,
  toNewFeatureGroup,
} from './feature-group-mapper.ts';
import { type FeatureGroupActor, FeatureGroupService } from './feature-group-service.ts';

/** Registers the feature-group operations of the admin API (FeatureGroupService). */
export function registerFeatureGroupRoutes(app: FastifyInstance, ctx: MrContext): void {
  const service = new FeatureGroupService();
  const actor = async (request: Parameters<MrContext['access']>[0]): Promise<FeatureGroupActor> => ({
    personId: ctx.principal(request).personId,
    access: await ctx.access(request),
  });

  route(app, 'listFeatureGroups', async (request) => {
    const who = await actor(request);
    const q = request.query;
    const page = await service.list(ctx.stores, who, request.params.appId, {
      filter: q.filter,
      max: q.max,
      page: q.page,
      sortOrder: q.sortOrder,
      environmentId: q.environmentId ?? undefined,
    });
    return toApiFeatureGroupList(page);
  });

  route(app, 'createFeatureGroup', async (request, reply) => {
    const who = await actor(request);
    const input = toNewFeatureGroup(request.body);
    try {
      const created = await ctx.uow.run((tx, changes) =>
        service.create(tx, changes, who, request.params.appId, input),
      );
      return toApiFeatureGroupListGroup(created);
    } catch (err) {
      if (err instanceof InvalidRolloutStrategiesError) return reply.code(422).send(err.body());
      throw err;
    }
  });

  route(app, 'updateFeatureGroup', async (request, reply) => {
    const who = await actor(request);
    const input = toFeatureGroupChanges(request.body);
    try {
      const updated = await ctx.uow.run((tx, changes) =>
        service.update(tx, changes, who, request.params.appId, input),
      );
      return toApiFeatureGroup(updated);
    } catch (err) {
      if (err instanceof InvalidRolloutStrategiesError) return reply.code(422).send(err.body());
      throw err;
    }
  });

  route(app, 'getFeatureGroupFeatures', async (request) => {
    const who = await actor(request);
    const { appId, envId } = request.params;
    return (await service.candidates(ctx.stores, who, appId, envId)).map(toApiCandidateFeature);
  });

  route(app, 'getFeatureGroup', async (request) => {
    const who = await actor(request);
    const { appId, fgId } = request.params;
    return toApiFeatureGroup(await service.get(ctx.stores, who, appId, fgId));
  });

  route(app, 'deleteFeatureGroup', async (request) => {
    const who = await actor(request);
    const { appId, fgId } = request.params;
    await ctx.uow.run((tx, changes) => service.delete(tx, changes, who, appId, fgId));
    return undefined;
  });
}
