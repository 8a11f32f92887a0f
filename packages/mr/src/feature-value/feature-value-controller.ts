import { BadRequestError } from '@fh/service-kit';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type {
  FeatureValue as ApiFeatureValue,
  ApplicationFeatureValues,
  EnvironmentFeaturesResult,
  FeatureEnvironment,
} from '../api/index.ts';
import { route } from '../api/mr-api-plugin.ts';
import type { MrContext } from '../core/mr-context.ts';
import type { Stores } from '../db/stores.ts';
import { toApiFeature } from '../feature/feature-mapper.ts';
import { InvalidRolloutStrategiesError } from '../strategy/rollout-strategy-validation.ts';
import { retryConcurrentWrites } from './concurrent-write-retry.ts';
import { listFeatureHistory } from './feature-history-service.ts';
import {
  toApiEnvironmentSummary,
  toApiFeatureHistoryList,
  toApiFeatureValue,
  toApiServiceAccountSummary,
  toFeatureValueChange,
} from './feature-value-mapper.ts';
import {
  dashboard,
  environmentFeatureValues,
  type FeatureEnvironmentView,
  type FeatureValueLookups,
  type FeatureValueView,
  featureAcrossEnvironments,
  getFeatureValue,
  lookupsFor,
} from './feature-value-queries.ts';
import {
  updateEnvironmentFeatureValues,
  updateFeatureAcrossEnvironments,
  updateFeatureValue,
} from './update-feature-value.ts';

/** Upstream answers invalid strategies with the RolloutStrategyValidationResponse itself as the body. */
async function answeringStrategyViolations<T>(
  reply: FastifyReply,
  run: () => Promise<T>,
): Promise<T | FastifyReply> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof InvalidRolloutStrategiesError) return reply.status(422).send(err.body());
    throw err;
  }
}

async function apiValues(
  stores: Pick<Stores, 'persons' | 'strategies'>,
  applicationId: string,
  views: readonly FeatureValueView[],
  lookups?: FeatureValueLookups,
): Promise<ApiFeatureValue[]> {
  const l =
    lookups ??
    (await lookupsFor(
      stores,
      applicationId,
      views.map((v) => v.value),
    ));
  return views.map((v) => toApiFeatureValue(v.value, v.feature, l));
}

async function apiFeatureEnvironments(
  stores: Pick<Stores, 'persons' | 'strategies'>,
  applicationId: string,
  view: { feature: FeatureValueView['feature']; environments: FeatureEnvironmentView[] },
): Promise<FeatureEnvironment[]> {
  const present = view.environments.flatMap((e) => (e.value ? [e.value] : []));
  const lookups = await lookupsFor(stores, applicationId, present);
  return view.environments.map((e) => ({
    environment: toApiEnvironmentSummary(e.environment),
    roles: e.roles,
    featureValue: e.value ? toApiFeatureValue(e.value, view.feature, lookups) : null,
    serviceAccounts: e.serviceAccounts.map((s) =>
      toApiServiceAccountSummary(s.account, e.environment.id, s.roles),
    ),
  }));
}

/**
 * Registers the feature-value operations of the admin API (docs/admin-api-rules.md §Feature values) and the
 * feature history (§Feature history).
 */
export function registerFeatureValueRoutes(app: FastifyInstance, ctx: MrContext): void {
  const write = <T>(fn: Parameters<typeof ctx.uow.run<T>>[0]) => retryConcurrentWrites(() => ctx.uow.run(fn));

  route(app, 'getFeaturesForEnvironment', async (request) => {
    const access = await ctx.access(request);
    const result = await environmentFeatureValues(ctx.stores, access, request.params.eid, {
      filter: request.query.filter,
    });
    const body: EnvironmentFeaturesResult = {
      featureValues: await apiValues(ctx.stores, result.environment.applicationId, result.values),
      environments: [toApiEnvironmentSummary(result.environment)],
    };
    if (request.query.includeFeatures) body.features = result.features.map((f) => toApiFeature(f));
    return body;
  });

  route(app, 'updateAllFeaturesForEnvironment', async (request, reply) =>
    answeringStrategyViolations(reply, async () => {
      const access = await ctx.access(request);
      const requested = request.body.map(toFeatureValueChange);
      const result = await write((tx, changes) =>
        updateEnvironmentFeatureValues(tx, changes, access, request.params.eid, requested),
      );
      return apiValues(ctx.stores, result.environment.applicationId, result.values);
    }),
  );

  route(app, 'getFeatureForEnvironment', async (request) => {
    const access = await ctx.access(request);
    const view = await getFeatureValue(ctx.stores, access, request.params.eid, request.params.key);
    const [value] = await apiValues(ctx.stores, view.feature.applicationId, [view]);
    return value!;
  });

  const saveOne = async (
    request: { params: { eid: string; key: string }; body: ApiFeatureValue },
    reply: FastifyReply,
    access: Awaited<ReturnType<MrContext['access']>>,
  ) =>
    answeringStrategyViolations(reply, async () => {
      const change = toFeatureValueChange(request.body);
      const outcome = await write((tx, changes) =>
        updateFeatureValue(tx, changes, access, request.params.eid, request.params.key, change),
      );
      const [value] = await apiValues(ctx.stores, outcome.feature.applicationId, [outcome]);
      return value!;
    });

  route(app, 'updateFeatureForEnvironment', async (request, reply) =>
    saveOne(request, reply, await ctx.access(request)),
  );
  route(app, 'createFeatureForEnvironment', async (request, reply) =>
    saveOne(request, reply, await ctx.access(request)),
  );

  route(app, 'deleteFeatureForEnvironment', async () => {
    throw new BadRequestError('feature values cannot be deleted: set the value to null instead');
  });

  route(app, 'getAllFeatureValuesByApplicationForKey', async (request) => {
    const access = await ctx.access(request);
    const view = await featureAcrossEnvironments(ctx.stores, access, request.params.id, request.params.key);
    return apiFeatureEnvironments(ctx.stores, request.params.id, view);
  });

  // `removeValuesNotPassed` is accepted and, as upstream, has no effect
  // (docs/admin-api-rules.md §Feature values).
  route(app, 'updateAllFeatureValuesByApplicationForKey', async (request, reply) =>
    answeringStrategyViolations(reply, async () => {
      const access = await ctx.access(request);
      const requested = request.body.map(toFeatureValueChange);
      const view = await write((tx, changes) =>
        updateFeatureAcrossEnvironments(
          tx,
          changes,
          access,
          request.params.id,
          request.params.key,
          requested,
        ),
      );
      return apiFeatureEnvironments(ctx.stores, request.params.id, view);
    }),
  );

  route(app, 'findAllFeatureAndFeatureValuesForEnvironmentsByApplication', async (request) => {
    const access = await ctx.access(request);
    const q = request.query;
    const view = await dashboard(ctx.stores, access, request.params.id, {
      environmentIds: q.environmentIds,
      filter: q.filter,
      max: q.max,
      page: q.page,
      featureTypes: q.featureTypes,
      sortOrder: q.sortOrder,
      featureFilters: q.featureFilter,
    });
    const filters = await ctx.stores.featureFilters.filtersOfFeatures(view.features.map((f) => f.id));
    const body: ApplicationFeatureValues = {
      applicationId: view.application.id,
      features: view.features.map((f) => toApiFeature(f, { filters })),
      environments: view.environments.map((e) => ({
        environmentId: e.environment.id,
        environmentName: e.environment.name,
        priorEnvironmentId: e.environment.priorEnvironmentId,
        roles: e.roles,
        features: e.values.map((v) => toApiFeatureValue(v.value, v.feature, view.lookups)),
      })),
      maxFeatures: view.maxFeatures,
    };
    return body;
  });

  route(app, 'listFeatureHistory', async (request) => {
    const access = await ctx.access(request);
    const q = request.query;
    const page = await listFeatureHistory(ctx.stores, access, request.params.appId, {
      featureKeys: q.featureKeys,
      featureIds: q.featureIds,
      versions: q.versions,
      environmentIds: q.environmentIds,
      max: q.max,
      startAt: q.startAt,
      order: q.order,
    });
    return toApiFeatureHistoryList(page);
  });
}
