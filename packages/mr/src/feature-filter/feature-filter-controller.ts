import type { FastifyInstance } from 'fastify';
import { route } from '../api/mr-api-plugin.ts';
import type { MrContext } from '../core/mr-context.ts';
import type { Person } from '../person/person-store.ts';
import { toApiFeatureFilter, toApiMatchingResult, toApiSearchItem } from './feature-filter-mapper.ts';
import {
  createFeatureFilter,
  deleteFeatureFilter,
  findFeatureFilters,
  getFeatureFilter,
  matchingFilters,
  updateFeatureFilter,
} from './feature-filter-service.ts';
import type { FeatureFilter } from './feature-filter-store.ts';

/** Registers the FeatureFilterService operations of API 1.2.6 (docs/feature-filters-and-extended-data.md). */
export function registerFeatureFilterRoutes(app: FastifyInstance, ctx: MrContext): void {
  const creatorOf = async (filter: FeatureFilter): Promise<Person | undefined> =>
    filter.createdBy ? ctx.stores.persons.findById(filter.createdBy) : undefined;

  route(app, 'createFeatureFilter', async (request) => {
    const access = await ctx.access(request);
    const filter = await ctx.uow.run((tx) =>
      createFeatureFilter(tx, access, request.params.id, request.body),
    );
    return toApiFeatureFilter(filter, await creatorOf(filter));
  });

  route(app, 'findFeatureFilters', async (request) => {
    const access = await ctx.access(request);
    const q = request.query;
    const includeDetails = q.includeDetails === true;
    const result = await findFeatureFilters(ctx.stores, access, request.params.id, {
      ...(q.filter !== undefined ? { filter: q.filter } : {}),
      ...(q.max !== undefined ? { max: q.max } : {}),
      ...(q.page !== undefined ? { page: q.page } : {}),
      descending: q.sortOrder === 'DESC',
      includeDetails,
    });
    const filters = [];
    for (const details of result.filters) {
      const creator = includeDetails ? await creatorOf(details.filter) : undefined;
      filters.push(toApiSearchItem(details, creator, includeDetails));
    }
    return { max: result.max, filters };
  });

  route(app, 'getFeatureFilter', async (request) => {
    const access = await ctx.access(request);
    const filter = await getFeatureFilter(ctx.stores, access, request.params.id, request.params.filterId);
    return toApiFeatureFilter(filter, await creatorOf(filter));
  });

  route(app, 'updateFeatureFilter', async (request) => {
    const access = await ctx.access(request);
    const body = request.body;
    const filter = await ctx.uow.run((tx) =>
      updateFeatureFilter(tx, access, request.params.id, {
        id: body.id,
        name: body.name,
        description: body.description,
        version: body.version,
      }),
    );
    return toApiFeatureFilter(filter, await creatorOf(filter));
  });

  route(app, 'deleteFeatureFilter', async (request) => {
    const access = await ctx.access(request);
    const filter = await ctx.uow.run((tx, changes) =>
      deleteFeatureFilter(
        tx,
        changes,
        access,
        request.params.id,
        request.params.filterId,
        request.query.version,
      ),
    );
    return toApiFeatureFilter(filter, await creatorOf(filter));
  });

  route(app, 'getMatchingFilters', async (request) => {
    const access = await ctx.access(request);
    const results = await matchingFilters(
      ctx.stores,
      access,
      request.params.id,
      request.params.matchType,
      request.query.filters,
    );
    return { matchingResults: results.map(toApiMatchingResult) };
  });
}
