import type { FastifyInstance } from 'fastify';
import type { HiddenEnvironments as ApiHiddenEnvironments } from '../api/index.ts';
import { route } from '../api/mr-api-plugin.ts';
import type { MrContext } from '../core/mr-context.ts';
import { type HiddenEnvironmentsChoice, UserStateService } from './user-state-service.ts';

/** Registers the caller's own preferences (UserStateService): the features console's environments. */
export function registerUserStateRoutes(app: FastifyInstance, ctx: MrContext): void {
  const service = new UserStateService();

  route(app, 'getHiddenEnvironments', async (request) => {
    const access = await ctx.access(request);
    return toApi(await service.hiddenEnvironments(ctx.stores, access, request.params.appId));
  });

  route(app, 'saveHiddenEnvironments', async (request) => {
    const access = await ctx.access(request);
    const { noneSelected, environmentIds } = request.body;
    const saved = await ctx.uow.run((tx) =>
      service.saveHiddenEnvironments(tx, access, request.params.appId, { noneSelected, environmentIds }),
    );
    return toApi(saved);
  });
}

function toApi(choice: HiddenEnvironmentsChoice): ApiHiddenEnvironments {
  return { noneSelected: choice.noneSelected, environmentIds: choice.environmentIds };
}
