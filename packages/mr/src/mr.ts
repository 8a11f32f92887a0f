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
import type { Database } from './db/open-database.ts';
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
import { decryptSettings, SecretBox } from './system-config/secret-box.ts';
import { registerSystemConfigRoutes } from './system-config/system-config-controller.ts';
import { SystemConfigService } from './system-config/system-config-service.ts';
import { registerTransferRoutes } from './transfer/transfer-controller.ts';
import { registerUserStateRoutes } from './user-state/user-state-controller.ts';
import { registerWebhookRoutes } from './webhook/webhook-controller.ts';
import { WebhookDelivery, type WebhookDeliverySettings } from './webhook/webhook-delivery.ts';
import { WebhookEnqueuer } from './webhook/webhook-enqueuer.ts';
import { WebhookService } from './webhook/webhook-service.ts';
import { sealWebhookInfo } from './webhook/webhook-settings.ts';

export interface ManagementRepositoryDeps {
  stores: TransactionalStores;
  logger: Logger;
  publisher?: ChangePublisher;
  hasher?: PasswordHasher;
  loginLimiter?: LoginRateLimiter;
  clock?: Clock;
  ids?: IdGenerator;
  settings?: Partial<MrSettings>;
  /** The database itself: the import/export routes (docs/import-export.md) are registered only with it. */
  database?: Database;
  /** Webhooks, Slack and the system config (ADR 0010). */
  integrations?: {
    /** seals secret settings; without it encrypted settings are refused with a 400 */
    encryptionKey?: string | undefined;
    delivery?: Partial<WebhookDeliverySettings>;
  };
}

/** The running Management Repository, as the composition root sees it. */
export interface ManagementRepository {
  readonly context: MrContext;
  /** The webhook outbox's delivery worker: the composition root starts it and stops it at shutdown. */
  readonly webhookDelivery: WebhookDelivery;
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
  const secrets = new SecretBox(deps.integrations?.encryptionKey);
  const systemConfig = new SystemConfigService(secrets);
  const webhookDelivery = new WebhookDelivery({
    stores: deps.stores,
    secrets,
    systemConfig,
    logger: deps.logger,
    settings: deps.integrations?.delivery ?? {},
  });
  const ids = deps.ids ?? uuidIds;
  const enqueuer = new WebhookEnqueuer(ids, () => webhookDelivery.nudge());
  const context: MrContext = {
    uow: new UnitOfWork(deps.stores, deps.publisher ?? noChangePublisher, deps.logger, enqueuer),
    stores: deps.stores,
    authenticator,
    hasher: deps.hasher ?? new ScryptPasswordHasher(),
    loginLimiter: deps.loginLimiter ?? new LoginRateLimiter(),
    clock,
    ids,
    sealWebhookInfo: (merged, current) => sealWebhookInfo(secrets, merged, current),
    revealWebhookInfo: (stored) => decryptSettings(secrets, stored),
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
  registerSystemConfigRoutes(app, context, systemConfig);
  registerWebhookRoutes(app, context, new WebhookService(secrets, webhookDelivery));
  if (deps.database) registerTransferRoutes(app, context, deps.database, deps.publisher ?? noChangePublisher);
  return { context, webhookDelivery };
}
