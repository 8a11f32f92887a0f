import type { FastifyInstance } from 'fastify';
import type { Portfolio as ApiPortfolio } from '../api/index.ts';
import { route } from '../api/mr-api-plugin.ts';
import type { MrContext } from '../core/mr-context.ts';
import { toApiPortfolio } from './portfolio-mapper.ts';
import {
  createPortfolio,
  deletePortfolio,
  getPortfolio,
  listPortfolios,
  type PortfolioChanges,
  type PortfolioIncludes,
  updatePortfolio,
} from './portfolio-service.ts';

function portfolioChanges(body: ApiPortfolio): PortfolioChanges {
  return {
    version: body.version,
    name: body.name,
    ...(body.description !== undefined ? { description: body.description } : {}),
  };
}

function includesOf(q: {
  includeGroups?: boolean;
  includeApplications?: boolean;
  includeEnvironments?: boolean;
}): PortfolioIncludes {
  return {
    groups: q.includeGroups === true,
    applications: q.includeApplications === true || q.includeEnvironments === true,
    environments: q.includeEnvironments === true,
  };
}

/** Registers the portfolio operations of the admin API (docs/admin-api-rules.md §Portfolios). */
export function registerPortfolioRoutes(app: FastifyInstance, ctx: MrContext): void {
  route(app, 'findPortfolios', async (request) => {
    const access = await ctx.access(request);
    const q = request.query;
    const views = await listPortfolios(ctx.stores, access, {
      ...(q.filter !== undefined ? { filter: q.filter } : {}),
      ...(q.order ? { order: q.order } : {}),
      includes: includesOf(q),
    });
    return views.map(toApiPortfolio);
  });

  route(app, 'createPortfolio', async (request) => {
    const access = await ctx.access(request);
    const view = await ctx.uow.run((tx) =>
      createPortfolio(tx, access, ctx.settings, request.body, includesOf(request.query)),
    );
    return toApiPortfolio(view);
  });

  route(app, 'updatePortfolioOnOrganisation', async (request) => {
    const access = await ctx.access(request);
    const view = await ctx.uow.run((tx) =>
      updatePortfolio(
        tx,
        access,
        ctx.settings,
        request.body.id,
        portfolioChanges(request.body),
        includesOf(request.query),
      ),
    );
    return toApiPortfolio(view);
  });

  route(app, 'getPortfolio', async (request) => {
    const access = await ctx.access(request);
    return toApiPortfolio(
      await getPortfolio(ctx.stores, access, request.params.id, includesOf(request.query)),
    );
  });

  // deprecated: the id comes from the path
  route(app, 'updatePortfolio', async (request) => {
    const access = await ctx.access(request);
    const view = await ctx.uow.run((tx) =>
      updatePortfolio(
        tx,
        access,
        ctx.settings,
        request.params.id,
        portfolioChanges(request.body),
        includesOf(request.query),
      ),
    );
    return toApiPortfolio(view);
  });

  route(app, 'deletePortfolio', async (request) => {
    const access = await ctx.access(request);
    await ctx.uow.run((tx, changes) => deletePortfolio(tx, changes, access, request.params.id));
    return true;
  });
}
