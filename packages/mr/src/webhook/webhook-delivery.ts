import { createHmac, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from '@fh/service-kit';
import type { Stores } from '../db/stores.ts';
import { decryptSettings, type SecretBox } from '../system-config/secret-box.ts';
import type { SystemConfigService } from '../system-config/system-config-service.ts';
import { checkDestination } from './destination-guard.ts';
import { slackFeatureChanges, slackText } from './slack-message.ts';
import { WEBHOOK_ENABLED, WEBHOOK_ENDPOINT } from './webhook-enqueuer.ts';
import { enrichedFeaturesBody } from './webhook-payloads.ts';
import { ENRICHED_FEATURES_TYPE, type OutboxEvent, SLACK_TYPE } from './webhook-store.ts';

/** Operator settings of webhook delivery (ADR 0010; the server reads them from WEBHOOK_* variables). */
export interface WebhookDeliverySettings {
  /** how often to look for due events when not told of a new one */
  pollMs: number;
  /** how long a claimed event stays with its process before another may take it */
  leaseMs: number;
  timeoutMs: number;
  /** the first retry waits this long, doubling up to maxBackoffMs */
  baseBackoffMs: number;
  maxBackoffMs: number;
  /** after this many failed attempts of one event the environment's webhook is disabled; 0 = never */
  maxFailures: number;
  refusePrivateNetworks: boolean;
  /** Slack's Web API base (tests point it at a fake Slack) */
  slackApiUrl: string;
  batchSize: number;
  /** delivered events older than this are deleted from the outbox (their calls stay in the history) */
  retentionMs: number;
  /** how often each process prunes delivered events */
  pruneEveryMs: number;
  /** rows deleted per statement when pruning */
  pruneBatch: number;
}

export const defaultWebhookDeliverySettings: WebhookDeliverySettings = {
  pollMs: 500,
  leaseMs: 60_000,
  timeoutMs: 10_000,
  baseBackoffMs: 1000,
  maxBackoffMs: 30_000,
  maxFailures: 50,
  refusePrivateNetworks: false,
  slackApiUrl: 'https://slack.com/api',
  batchSize: 20,
  retentionMs: 7 * 24 * 3_600_000,
  pruneEveryMs: 10 * 60_000,
  pruneBatch: 500,
};

/** At most this many prune statements per round, so pruning a large backlog never holds up deliveries long. */
const PRUNE_ROUNDS = 20;

export interface WebhookDeliveryDeps {
  /** stores outside any transaction */
  stores: Stores;
  secrets: SecretBox;
  systemConfig: SystemConfigService;
  logger: Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;
  settings?: Partial<WebhookDeliverySettings>;
  fetch?: typeof fetch;
}

interface Outbound {
  url: string;
  headers: Record<string, string>;
  body: string;
  cloudEventType: string;
  /** for Slack's Web API: a 200 with `ok: false` is a failure */
  slackApi?: boolean;
}

const SOURCE = '/webhook-features';

/**
 * Delivers the outbox: claims due events (one per environment, the oldest, under a lease so one process
 * delivers each), posts them, records each call in the history, and retries failures with backoff.
 * Runs beside the HTTP server, never inside a request.
 */
export class WebhookDelivery {
  readonly #deps: WebhookDeliveryDeps;
  readonly #settings: WebhookDeliverySettings;
  readonly #owner = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  readonly #fetch: typeof fetch;
  #running = false;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #nudged = false;
  #lastPrune = 0;

  constructor(deps: WebhookDeliveryDeps) {
    this.#deps = deps;
    this.#settings = { ...defaultWebhookDeliverySettings, ...deps.settings };
    this.#fetch = deps.fetch ?? fetch;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#run();
  }

  /** Look now: something was enqueued. */
  nudge(): void {
    this.#nudged = true;
    this.#wake?.();
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#wake?.();
    await this.#loop;
  }

  /** Claims and delivers one batch; the number of events handled. */
  async runOnce(): Promise<number> {
    const events = await this.#deps.stores.webhooks.claim(
      this.#owner,
      this.#settings.leaseMs,
      this.#settings.batchSize,
    );
    await Promise.all(events.map((e) => this.#deliver(e)));
    return events.length;
  }

  /**
   * Deletes what is older than the retention, in batches: delivered events, abandoned events (their webhook was
   * switched off or they failed for good) and the call history. Answers how many rows went. Every MR process
   * does this now and then; two doing it at once delete disjoint or already-deleted rows, which is harmless.
   */
  async pruneOnce(now = new Date()): Promise<number> {
    const before = new Date(now.getTime() - this.#settings.retentionMs);
    const store = this.#deps.stores.webhooks;
    let total = 0;
    for (const prune of [
      (n: number) => store.pruneDelivered(before, n),
      (n: number) => store.pruneAbandoned(before, n),
      (n: number) => store.pruneResults(before, n),
    ]) {
      for (let round = 0; round < PRUNE_ROUNDS; round++) {
        const n = await prune(this.#settings.pruneBatch);
        total += n;
        if (n < this.#settings.pruneBatch) break;
      }
    }
    if (total > 0)
      this.#deps.logger.debug({ pruned: total, before }, 'old webhook events and history pruned');
    return total;
  }

  async #pruneIfDue(): Promise<void> {
    const now = Date.now();
    if (now - this.#lastPrune < this.#settings.pruneEveryMs) return;
    this.#lastPrune = now;
    try {
      await this.pruneOnce(new Date(now));
    } catch (err) {
      this.#deps.logger.warn({ err }, 'pruning delivered webhook events failed; trying again later');
    }
  }

  async #run(): Promise<void> {
    while (this.#running) {
      await this.#pruneIfDue();
      let handled = 0;
      try {
        handled = await this.runOnce();
      } catch (err) {
        this.#deps.logger.warn({ err }, 'webhook delivery round failed');
      }
      if (handled > 0 || !this.#running) continue;
      if (this.#nudged) {
        this.#nudged = false;
        continue;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.#settings.pollMs);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = undefined;
      this.#nudged = false;
    }
  }

  async #deliver(event: OutboxEvent): Promise<void> {
    const { stores, logger } = this.#deps;
    let outbound: Outbound | undefined;
    try {
      outbound = await this.#outbound(event);
    } catch (err) {
      logger.warn({ err, eventId: event.id }, 'webhook event could not be prepared; retrying');
      await this.#retry(event, null);
      return;
    }
    if (!outbound) {
      await stores.webhooks.release(event.seq, this.#owner, { status: 'abandoned', lastStatus: null });
      return;
    }
    const sent = await this.send(event.environmentId, outbound, event.id);
    if (sent.ok) {
      await stores.webhooks.release(event.seq, this.#owner, { status: 'delivered', lastStatus: sent.status });
    } else {
      await this.#retry(event, sent.status);
    }
  }

  async #retry(event: OutboxEvent, status: number | null): Promise<void> {
    const { stores } = this.#deps;
    const s = this.#settings;
    const failures = event.attempts + 1;
    if (s.maxFailures > 0 && failures >= s.maxFailures && event.eventType === ENRICHED_FEATURES_TYPE) {
      await stores.webhooks.release(event.seq, this.#owner, { status: 'abandoned', lastStatus: status });
      await this.#disable(event.environmentId, failures);
      return;
    }
    const wait = Math.min(s.maxBackoffMs, s.baseBackoffMs * 2 ** Math.min(event.attempts, 20));
    await stores.webhooks.release(event.seq, this.#owner, {
      status: 'pending',
      lastStatus: status,
      nextAttemptAt: new Date(Date.now() + wait),
    });
  }

  /** Upstream turns a failing webhook off; so do we, with the reason in the settings the UI shows. */
  async #disable(environmentId: string, failures: number): Promise<void> {
    const { stores, logger } = this.#deps;
    const env = await stores.environments.findById(environmentId);
    if (!env) return;
    await stores.environments.update(environmentId, {
      webhookEnvironmentInfo: {
        ...env.webhookEnvironmentInfo,
        [WEBHOOK_ENABLED]: 'false',
        'webhook.features.disabled.reason': `disabled after ${failures} failed deliveries (${new Date().toISOString()})`,
      },
    });
    const dropped = await stores.webhooks.abandonPending(environmentId, ENRICHED_FEATURES_TYPE);
    logger.warn({ environmentId, failures, dropped }, 'webhook disabled after repeated failures');
  }

  /** What to send for an event; undefined when it is no longer wanted (webhook off, environment gone). */
  async #outbound(event: OutboxEvent): Promise<Outbound | undefined> {
    const { stores, secrets } = this.#deps;
    const env = await stores.environments.findById(event.environmentId);
    if (!env) return undefined;
    const info = decryptSettings(secrets, env.webhookEnvironmentInfo);
    let payload = event.payload;
    if (event.eventType === ENRICHED_FEATURES_TYPE) {
      const endpoint = info[WEBHOOK_ENDPOINT];
      if (info[WEBHOOK_ENABLED] !== 'true' || !endpoint) return undefined;
      if (payload === null) {
        const body = await enrichedFeaturesBody(stores, event);
        if (!body) return undefined;
        payload = JSON.stringify(body);
        await stores.webhooks.setPayload(event.seq, payload);
      }
      return {
        url: endpoint,
        headers: {
          ...this.#ceHeaders(event.id, ENRICHED_FEATURES_TYPE, event.whenCreated),
          ...webhookHeaders(info, payload),
        },
        body: payload,
        cloudEventType: ENRICHED_FEATURES_TYPE,
      };
    }
    if (event.eventType === SLACK_TYPE) return this.#slack(event, info, payload);
    return undefined;
  }

  /**
   * Sends one Slack message with `text` now, outside the outbox, with the environment's Slack settings overlaid
   * by `info` (a test ping). Answers false when Slack is not set up for it (off, or no channel or token).
   */
  async pingSlack(environmentId: string, info: Record<string, string>, text: string): Promise<boolean> {
    const now = new Date();
    const event: OutboxEvent = {
      seq: -1,
      id: randomUUID(),
      environmentId,
      eventType: SLACK_TYPE,
      featureKeys: [],
      previous: {},
      current: {},
      whoChanged: null,
      payload: null,
      status: 'pending',
      attempts: 0,
      nextAttemptAt: now,
      whenCreated: now,
    };
    const out = await this.#slack(event, info, null, text);
    if (!out) return false;
    await this.send(environmentId, out, event.id);
    return true;
  }

  async #slack(
    event: OutboxEvent,
    info: Record<string, string>,
    stored: string | null,
    testText?: string,
  ): Promise<Outbound | undefined> {
    const { stores, systemConfig } = this.#deps;
    const cfg = await systemConfig.values(stores, [
      'slack.enabled',
      'slack.bearerToken',
      'slack.defaultChannel',
      'slack.delivery.url',
      'slack.delivery.headers',
      'slack.messageFormat.featureChange',
    ]);
    if (cfg.get('slack.enabled') !== true) return undefined;
    const channel =
      info['integration.slack.channel_name'] ||
      info['integration.slack.channel'] ||
      (cfg.get('slack.defaultChannel') as string | undefined);
    const token = info['integration.slack.token'] || (cfg.get('slack.bearerToken') as string | undefined);
    if (!channel) return undefined;
    let payload = stored;
    if (testText !== undefined) {
      payload = JSON.stringify({ channel, text: testText });
    } else if (payload === null) {
      const template = cfg.get('slack.messageFormat.featureChange') as string | null | undefined;
      const { text, templateError } = slackText(await slackFeatureChanges(stores, event), template);
      if (templateError) {
        this.#deps.logger.warn(
          { eventId: event.id, templateError },
          'slack.messageFormat.featureChange could not be rendered; the default text is sent',
        );
      }
      payload = JSON.stringify({ channel, text });
      await stores.webhooks.setPayload(event.seq, payload);
    }
    const message = JSON.parse(payload) as { channel: string; text: string };
    const deliveryUrl = cfg.get('slack.delivery.url') as string | undefined;
    if (deliveryUrl) {
      const headers = Object.fromEntries(
        Object.entries(
          (cfg.get('slack.delivery.headers') as Record<string, string> | undefined) ?? {},
        ).filter(([k]) => !k.startsWith('slack.')),
      );
      const body = JSON.stringify({
        environmentId: event.environmentId,
        featureKeys: event.featureKeys,
        previous: event.previous,
        current: event.current,
        whoChanged: event.whoChanged,
        message: message.text,
        additionalInfo: { 'slack.channel': message.channel, ...(token ? { 'slack.token': token } : {}) },
      });
      return {
        url: deliveryUrl,
        headers: { ...this.#ceHeaders(event.id, SLACK_TYPE, event.whenCreated), ...headers },
        body,
        cloudEventType: SLACK_TYPE,
      };
    }
    if (!token) return undefined;
    return {
      url: `${this.#settings.slackApiUrl.replace(/\/+$/, '')}/chat.postMessage`,
      headers: { 'content-type': 'application/json; charset=utf-8', authorization: `Bearer ${token}` },
      body: payload,
      cloudEventType: SLACK_TYPE,
      slackApi: true,
    };
  }

  #ceHeaders(id: string, type: string, time: Date): Record<string, string> {
    return {
      'content-type': 'application/json',
      'ce-specversion': '1.0',
      'ce-id': id,
      'ce-type': type,
      'ce-source': SOURCE,
      'ce-time': time.toISOString(),
    };
  }

  /** One HTTP call, recorded in the history whatever happens. */
  async send(
    environmentId: string,
    out: Outbound,
    eventId: string | null,
  ): Promise<{ ok: boolean; status: number }> {
    const { stores, logger } = this.#deps;
    let status = 0;
    let result = '';
    let incoming: Record<string, string> = {};
    try {
      await checkDestination(out.url, this.#settings.refusePrivateNetworks);
      const response = await this.#fetch(out.url, {
        method: 'POST',
        headers: out.headers,
        body: out.body,
        signal: AbortSignal.timeout(this.#settings.timeoutMs),
        redirect: 'manual',
      });
      status = response.status;
      incoming = Object.fromEntries(response.headers.entries());
      result = (await response.text()).slice(0, 1024);
      if (out.slackApi && status === 200 && !/"ok"\s*:\s*true/.test(result)) status = 502;
    } catch (err) {
      result = err instanceof Error ? err.message : String(err);
      logger.debug({ err, url: out.url }, 'webhook call failed');
    }
    await stores.webhooks.recordResult({
      id: randomUUID(),
      environmentId,
      whenSent: new Date(),
      status,
      method: 'POST',
      cloudEventType: out.cloudEventType,
      url: out.url,
      outboundHeaders: redactHeaders(out.headers),
      incomingHeaders: incoming,
      content: out.body,
      result,
      eventId,
    });
    return { ok: status >= 200 && status < 300, status };
  }
}

/** The configured headers (`webhook.features.header.<name>`, and upstream's older `headers` list) and the HMAC. */
function webhookHeaders(info: Record<string, string>, body: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of (info['webhook.features.headers'] ?? '').split(',')) {
    const eq = pair.indexOf('=');
    if (eq > 0) out[pair.slice(0, eq).trim().toLowerCase()] = decodeURIComponent(pair.slice(eq + 1).trim());
  }
  for (const [k, v] of Object.entries(info)) {
    if (k.startsWith('webhook.features.header.') && v !== '') out[k.slice(24).toLowerCase()] = v;
  }
  const secret = info['webhook.features.hmac.secret'];
  if (secret)
    out['x-featurehub-signature'] = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
  return out;
}

/** Headers as the history shows them: credentials and signatures never in clear. */
function redactHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).map(([k, v]) =>
      k.startsWith('ce-') || k === 'content-type' ? [k, v] : [k, '********'],
    ),
  );
}
