import { BadRequestError } from '@fh/service-kit';
import type { FastifyInstance } from 'fastify';
import type { Feature as ApiFeature } from '../api/index.ts';
import { route } from '../api/mr-api-plugin.ts';
import type { MrContext } from '../core/mr-context.ts';
import { toApiFeature } from './feature-mapper.ts';
import {
  createFeature,
  deleteFeature,
  type FeatureChanges,
  getFeature,
  listFeatures,
  updateFeature,
} from './feature-service.ts';
import type { Feature } from './feature-store.ts';

/** The fields of a Feature body that an update changes; absent fields stay as they are. */
function featureChanges(body: ApiFeature, key: string | undefined): FeatureChanges {
  const changes: FeatureChanges = { name: body.name };
  if (body.version !== undefined) changes.version = body.version;
  if (key !== undefined) changes.key = key;
  if (body.valueType !== undefined) changes.valueType = body.valueType;
  if (body.description !== undefined) changes.description = body.description;
  if (body.link !== undefined) changes.link = body.link;
  if (body.metaData !== undefined) changes.metaData = body.metaData;
  if (body.alias !== undefined) changes.alias = body.alias;
  if (body.secret !== undefined) changes.secret = body.secret;
  if (body.featureFilter !== undefined) changes.filters = body.featureFilter;
  return changes;
}

/** Registers the feature-definition operations of the admin API (docs/admin-api-rules.md §Features). */
export function registerFeatureRoutes(app: FastifyInstance, ctx: MrContext): void {
  // Every answer carries each feature's filter ids (API 1.2.6 `featureFilter`).
  const toApi = async (features: readonly Feature[], includeMetaData: boolean | undefined) => {
    const filters = await ctx.stores.featureFilters.filtersOfFeatures(features.map((f) => f.id));
    return features.map((f) => toApiFeature(f, { includeMetaData: includeMetaData === true, filters }));
  };

  route(app, 'getAllFeaturesForApplication', async (request) => {
    const access = await ctx.access(request);
    const features = await listFeatures(ctx.stores, access, request.params.id);
    return toApi(features, request.query.includeMetaData);
  });

  route(app, 'createFeaturesForApplication', async (request) => {
    const access = await ctx.access(request);
    const body = request.body;
    const features = await ctx.uow.run((tx, changes) =>
      createFeature(tx, changes, access, request.params.id, {
        key: body.key,
        name: body.name,
        valueType: body.valueType,
        description: body.description,
        link: body.link,
        metaData: body.metaData,
        alias: body.alias,
        secret: body.secret,
        filters: body.featureFilter,
      }),
    );
    return toApi(features, request.query.includeMetaData);
  });

  // Finds the feature by the body's id (which allows renaming the key) or else by the body's key.
  route(app, 'updateFeatureForApplicationOnFeature', async (request) => {
    const access = await ctx.access(request);
    const body = request.body;
    const locator = body.id ?? body.key;
    if (!locator) throw new BadRequestError('body/key (or body/id) is required to find the feature');
    const applicationId = request.params.id;
    const includeMetaData = request.query.includeMetaData;
    const updated = await ctx.uow.run((tx, changes) =>
      updateFeature(tx, changes, access, applicationId, locator, featureChanges(body, body.key)),
    );
    if (request.query.returnAllFeatures === false) return toApi([updated], includeMetaData);
    const all = await listFeatures(ctx.stores, access, applicationId);
    return toApi(all, includeMetaData);
  });

  route(app, 'getFeatureByKey', async (request) => {
    const access = await ctx.access(request);
    const feature = await getFeature(ctx.stores, access, request.params.id, request.params.key);
    const filters = await ctx.stores.featureFilters.filtersOfFeatures([feature.id]);
    return toApiFeature(feature, { includeMetaData: request.query.includeMetaData === true, filters });
  });

  // Deprecated upstream, kept for renames: the path names the feature, the body's key is the new key.
  route(app, 'updateFeatureForApplication', async (request) => {
    const access = await ctx.access(request);
    const applicationId = request.params.id;
    await ctx.uow.run((tx, changes) =>
      updateFeature(
        tx,
        changes,
        access,
        applicationId,
        request.params.key,
        featureChanges(request.body, request.body.key),
      ),
    );
    const all = await listFeatures(ctx.stores, access, applicationId);
    return toApi(all, request.query.includeMetaData);
  });

  route(app, 'deleteFeatureForApplication', async (request) => {
    const access = await ctx.access(request);
    const remaining = await ctx.uow.run((tx, changes) =>
      deleteFeature(tx, changes, access, request.params.id, request.params.key),
    );
    return toApi(remaining, request.query.includeMetaData);
  });
}
