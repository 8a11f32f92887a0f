import type { Logger } from '@fh/service-kit';
import type { FastifyInstance } from 'fastify';
import { registerMrApi } from './api/mr-api-plugin.ts';
import { registerApplicationRoutes } from './application/application-controller.ts';
import { registerAuthRoutes } from './auth/auth-controller.ts';
import { Authenticator } from './auth/authenticator.ts';
import { LoginRateLimiter } from './auth/login-rate-limiter.ts';
import { type PasswordHasher, ScryptPasswordHasher } from './auth/password-hasher.ts';
import { principalOf } from './auth/principal.ts';
import { accessFor, defaultMrSettings, type MrContext, type MrSettings } from './core/mr-context.ts';
import { UnitOfWork } from './core/unit-of-work.ts';
import { type Clock, type IdGenerator, systemClock, uuidIds } from './db/store-support.ts';
import type { TransactionalStores } from './db/stores.ts';
import { registerEnvironmentRoutes } from './environment/environment-controller.ts';
import { registerFeatureRoutes } from './feature/feature-controller.ts';
import { registerFeatureFilterRoutes } from './feature-filter/feature-filter-controller.ts';
import { registerFeatureGroupRoutes } from './feature-group/feature-group-controller.ts';
import { registerFeatureValueRoutes } from './feature-value/feature-value-controller.ts';
import { registerGroupRoutes } from './group/group-controller.ts';
import { registerPersonRoutes } from './person/person-controller.ts';
import { registerPortfolioRoutes } from './portfolio/portfolio-controller.ts';
import { type ChangePublisher, noChangePublisher } from './publishing/change-set.ts';
import { registerServiceAccountRoutes } from './service-account/service-account-controller.ts';
import { registerSetupRoutes } from './setup/setup-controller.ts';
import { SingleSignOn } from './sso/single-sign-on.ts';
import { registerSsoRoutes } from './sso/sso-controller.ts';
import { registerStrategyRoutes } from './strategy/strategy-controller.ts';
import { registerUserStateRoutes } from './user-state/user-state-controller.ts';

export interface ManagementRepositoryDeps {
  stores: TransactionalStores;
  logger: Logger;
  publisher?: ChangePublisher;
  hasher?: PasswordHasher;
  loginLimiter?: LoginRateLimiter;
  clock?: Clock;
  ids?: IdGenerator;
  settings?: Partial<MrSettings>;
}

/** The running Management Repository, as the composition root sees it. */
export interface ManagementRepository {
  readonly context: MrContext;
}

/**
 * Adds the Management Repository's admin API (`/mr-api`, its OpenAPI document and `/api-docs`) to a
 * server made by `createHttpServer`.
 */
export async function registerManagementRepository(
  app: FastifyInstance,
  deps: ManagementRepositoryDeps,
): Promise<ManagementRepository> {
  const authenticator = new Authenticator(deps.stores);
  const settings = { ...defaultMrSettings, ...deps.settings };
  const clock = deps.clock ?? systemClock;
  const context: MrContext = {
    uow: new UnitOfWork(deps.stores, deps.publisher ?? noChangePublisher, deps.logger),
    stores: deps.stores,
    authenticator,
    hasher: deps.hasher ?? new ScryptPasswordHasher(),
    loginLimiter: deps.loginLimiter ?? new LoginRateLimiter(),
    clock,
    ids: deps.ids ?? uuidIds,
    logger: deps.logger,
    settings,
    sso: new SingleSignOn(settings.sso, clock),
    principal: principalOf,
    access: accessFor(deps.stores),
  };
  await registerMrApi(app, { authenticate: authenticator.authenticate });
  for (const register of [
    registerSetupRoutes,
    registerAuthRoutes,
    registerSsoRoutes,
    registerPersonRoutes,
    registerGroupRoutes,
    registerPortfolioRoutes,
    registerApplicationRoutes,
    registerEnvironmentRoutes,
    registerFeatureRoutes,
    registerFeatureValueRoutes,
    registerStrategyRoutes,
    registerFeatureGroupRoutes,
    registerServiceAccountRoutes,
    registerUserStateRoutes,
    registerFeatureFilterRoutes,
  ]) {
    register(app, context);
  }
  return { context };
}
