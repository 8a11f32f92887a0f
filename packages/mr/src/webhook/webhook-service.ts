import { randomUUID } from 'node:crypto';
import { BadRequestError, NotFoundError } from '@fh/service-kit';
import type { Stores } from '../db/stores.ts';
import type { Access } from '../permission/access.ts';
import { decryptSettings, type SecretBox } from '../system-config/secret-box.ts';
import { isHttpUrl } from '../system-config/system-config-service.ts';
import type { WebhookDelivery } from './webhook-delivery.ts';
import { WEBHOOK_ENDPOINT } from './webhook-enqueuer.ts';
import { enrichedFeaturesBody } from './webhook-payloads.ts';
import { ENRICHED_FEATURES_TYPE, SLACK_TYPE, type WebhookResult } from './webhook-store.ts';

/** The webhook kinds an environment can configure (GET /mr-api/webhooks). */
export const webhookTypes = [
  { messageType: ENRICHED_FEATURES_TYPE, description: 'Feature updates', envPrefix: 'webhook.features' },
  { messageType: SLACK_TYPE, description: 'Slack', envPrefix: 'integration.slack' },
] as const;

/** Who may see an environment's webhook history and ping it: its portfolio's administrators. */
async function requireEnvironmentAdmin(stores: Stores, access: Access, environmentId: string) {
  const env = await stores.environments.findById(environmentId);
  if (!env) throw new NotFoundError(`environment ${environmentId} not found`);
  const app = await stores.applications.findById(env.applicationId);
  if (!app) throw new NotFoundError(`environment ${environmentId} not found`);
  access.requirePortfolioAdmin(app.portfolioId);
  return env;
}

export class WebhookService {
  constructor(
    private readonly secrets: SecretBox,
    private readonly delivery: WebhookDelivery,
  ) {}

  async history(
    stores: Stores,
    access: Access,
    environmentId: string,
    query: { max?: number | undefined; startAt?: number | undefined; filter?: string | undefined },
  ): Promise<{ results: WebhookResult[]; total: number }> {
    await requireEnvironmentAdmin(stores, access, environmentId);
    return stores.webhooks.listResults(environmentId, {
      max: Math.min(Math.max(query.max ?? 20, 1), 100),
      startAt: Math.max(query.startAt ?? 0, 0),
      cloudEventType: query.filter || undefined,
    });
  }

  async detail(stores: Stores, access: Access, environmentId: string, id: string): Promise<WebhookResult> {
    await requireEnvironmentAdmin(stores, access, environmentId);
    const found = await stores.webhooks.findResult(environmentId, id);
    if (!found) throw new NotFoundError(`webhook call ${id} not found`);
    return found;
  }

  /**
   * Sends one `enriched-feature-v1` event (or, for `integration/slack-v1`, a Slack test message) with the
   * environment's settings overlaid by `config` (unsaved), straight away and outside the outbox; the call lands in
   * the history like any other.
   */
  async ping(
    stores: Stores,
    access: Access,
    check: { messageType: string; envId: string; config: Record<string, string> },
  ): Promise<void> {
    const env = await requireEnvironmentAdmin(stores, access, check.envId);
    const info = { ...decryptSettings(this.secrets, env.webhookEnvironmentInfo), ...check.config };
    if (check.messageType === SLACK_TYPE) {
      const app = await stores.applications.findById(env.applicationId);
      const sent = await this.delivery.pingSlack(
        env.id,
        info,
        `FeatureHub test message for environment ${env.name} of application ${app?.name ?? '?'}: Slack is set up.`,
      );
      if (!sent) {
        throw new BadRequestError(
          'Slack is not set up for this environment: the system config needs slack.enabled and a token (or slack.delivery.url), and the environment or slack.defaultChannel a channel',
        );
      }
      return;
    }
    if (check.messageType !== ENRICHED_FEATURES_TYPE) {
      throw new BadRequestError(
        `${JSON.stringify(check.messageType)} cannot be tested; known: ${webhookTypes.map((t) => t.messageType).join(', ')}`,
      );
    }
    const url = info[WEBHOOK_ENDPOINT];
    if (!url || !isHttpUrl(url)) throw new BadRequestError(`${WEBHOOK_ENDPOINT} must be an http(s) URL`);
    const body = await enrichedFeaturesBody(stores, {
      environmentId: env.id,
      featureKeys: [],
      previous: {},
      current: {},
      whoChanged: null,
    });
    const id = randomUUID();
    const payload = JSON.stringify(body);
    await this.delivery.send(
      env.id,
      {
        url,
        headers: {
          'content-type': 'application/json',
          'ce-specversion': '1.0',
          'ce-id': id,
          'ce-type': ENRICHED_FEATURES_TYPE,
          'ce-source': '/webhook-features',
          'ce-time': new Date().toISOString(),
          ...Object.fromEntries(
            Object.entries(info)
              .filter(([k, v]) => k.startsWith('webhook.features.header.') && v !== '')
              .map(([k, v]) => [k.slice(24).toLowerCase(), v]),
          ),
        },
        body: payload,
        cloudEventType: ENRICHED_FEATURES_TYPE,
      },
      id,
    );
  }
}
