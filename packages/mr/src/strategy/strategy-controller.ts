import type { FastifyInstance, FastifyReply } from 'fastify';
import { route } from '../api/mr-api-plugin.ts';
import type { MrContext } from '../core/mr-context.ts';
import { InvalidRolloutStrategiesError } from './rollout-strategy-validation.ts';
import {
  toApiApplicationStrategy,
  toApiStrategyList,
  toApplicationStrategyChanges,
  toNewApplicationStrategy,
  toValidationInput,
} from './strategy-mapper.ts';
import { type StrategyActor, StrategyService } from './strategy-service.ts';

/** Registers the application-strategy operations of the admin API (ApplicationRolloutStrategyService). */
export function registerStrategyRoutes(app: FastifyInstance, ctx: MrContext): void {
  const service = new StrategyService();
  const actor = async (request: Parameters<MrContext['access']>[0]): Promise<StrategyActor> => ({
    personId: ctx.principal(request).personId,
    access: await ctx.access(request),
  });

  route(app, 'listApplicationStrategies', async (request) => {
    const who = await actor(request);
    const q = request.query;
    const page = await service.list(ctx.stores, who, request.params.appId, {
      includeArchived: q.includeArchived,
      filter: q.filter,
      sortOrder: q.sortOrder,
      max: q.max,
      page: q.page,
      includeWhoChanged: q.includeWhoChanged,
      includeUsage: q.includeUsage,
    });
    return toApiStrategyList(page);
  });

  route(app, 'createApplicationStrategy', async (request, reply) => {
    const who = await actor(request);
    const input = toNewApplicationStrategy(request.body);
    return withViolations(reply, async () => {
      const created = await ctx.uow.run((tx) => service.create(tx, who, request.params.appId, input));
      return toApiApplicationStrategy(created);
    });
  });

  route(app, 'getApplicationStrategy', async (request) => {
    const who = await actor(request);
    const { appId, appStrategyId } = request.params;
    return toApiApplicationStrategy(await service.get(ctx.stores, who, appId, appStrategyId));
  });

  route(app, 'updateApplicationStrategy', async (request, reply) => {
    const who = await actor(request);
    const { appId, appStrategyId } = request.params;
    const patch = toApplicationStrategyChanges(request.body);
    return withViolations(reply, async () => {
      const updated = await ctx.uow.run((tx, changes) =>
        service.update(tx, changes, who, appId, appStrategyId, patch),
      );
      return toApiApplicationStrategy(updated);
    });
  });

  route(app, 'deleteApplicationStrategy', async (request) => {
    const who = await actor(request);
    const { appId, appStrategyId } = request.params;
    await ctx.uow.run((tx, changes) => service.delete(tx, changes, who, appId, appStrategyId));
    return undefined;
  });

  route(app, 'validate', async (request) => {
    const who = await actor(request);
    return service.validate(ctx.stores, who, request.params.appId, toValidationInput(request.body));
  });
}

/** Invalid strategies answer 422 with the upstream RolloutStrategyValidationResponse as the body. */
async function withViolations<T>(reply: FastifyReply, work: () => Promise<T>): Promise<T | FastifyReply> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof InvalidRolloutStrategiesError) return reply.code(422).send(err.body());
    throw err;
  }
}
