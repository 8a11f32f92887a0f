import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { type ManagementRepository, parseDatabaseUrl, type WebhookDeliverySettings } from '@fh/mr';
import { ConfigError, type ServerConfig } from '@fh/service-kit';
import type { RoleProcess } from './wiring.ts';

/** What MR's webhooks, Slack and system config take from the environment (ADR 0010, docs/webhooks.md). */
export interface IntegrationsConfig {
  encryptionKey: string | undefined;
  delivery: Partial<WebhookDeliverySettings>;
}

function int(env: Readonly<Record<string, string | undefined>>, name: string, min: number, max: number) {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new ConfigError(name, `must be a whole number from ${min} to ${max}`);
  return n;
}

/**
 * Reads WEBHOOK_* and SLACK_API_URL once at start. Without WEBHOOK_ENCRYPTION_KEY a party server on a
 * SQLite file keeps a generated key in `<database file>.webhook-key` beside it; every other setup then
 * refuses encrypted settings with a 400 until a key is configured.
 */
export function integrationsConfig(
  config: ServerConfig,
  env: Readonly<Record<string, string | undefined>> = process.env,
): IntegrationsConfig {
  let encryptionKey = env['WEBHOOK_ENCRYPTION_KEY']?.trim() || undefined;
  if (!encryptionKey) {
    const location = parseDatabaseUrl(config.database.url);
    if (location.dialect === 'sqlite' && location.filename !== ':memory:') {
      const keyFile = `${location.filename}.webhook-key`;
      if (!existsSync(keyFile)) writeFileSync(keyFile, randomBytes(32).toString('base64'), { mode: 0o600 });
      encryptionKey = readFileSync(keyFile, 'utf8').trim();
    }
  }
  const delivery: Partial<WebhookDeliverySettings> = {};
  const set = <K extends keyof WebhookDeliverySettings>(k: K, v: WebhookDeliverySettings[K] | undefined) => {
    if (v !== undefined) delivery[k] = v;
  };
  set('pollMs', int(env, 'WEBHOOK_POLL_MS', 10, 60_000));
  const lease = int(env, 'WEBHOOK_LEASE_SECONDS', 1, 3600);
  set('leaseMs', lease === undefined ? undefined : lease * 1000);
  set('timeoutMs', int(env, 'WEBHOOK_TIMEOUT_MS', 100, 300_000));
  set('baseBackoffMs', int(env, 'WEBHOOK_RETRY_BASE_MS', 10, 600_000));
  set('maxBackoffMs', int(env, 'WEBHOOK_RETRY_MAX_MS', 10, 3_600_000));
  set('maxFailures', int(env, 'WEBHOOK_MAX_FAILURES', 0, 1_000_000));
  const retentionHours = int(env, 'WEBHOOK_RETENTION_HOURS', 1, 24 * 3650);
  set('retentionMs', retentionHours === undefined ? undefined : retentionHours * 3_600_000);
  const refuse = env['WEBHOOK_REFUSE_PRIVATE_NETWORKS']?.trim().toLowerCase();
  if (refuse !== undefined && refuse !== '') {
    if (refuse !== 'true' && refuse !== 'false')
      throw new ConfigError('WEBHOOK_REFUSE_PRIVATE_NETWORKS', 'must be true or false');
    delivery.refusePrivateNetworks = refuse === 'true';
  }
  const slack = env['SLACK_API_URL']?.trim();
  if (slack) {
    if (!/^https?:\/\/[^\s/]+/i.test(slack)) throw new ConfigError('SLACK_API_URL', 'is not an http(s) URL');
    delivery.slackApiUrl = slack;
  }
  return { encryptionKey, delivery };
}

/** Starts the outbox delivery worker beside the HTTP server; it stops before the database closes. */
export function startWebhookDelivery(p: RoleProcess, mr: ManagementRepository): void {
  mr.webhookDelivery.start();
  p.onShutdown({ name: 'webhook delivery', close: () => mr.webhookDelivery.stop() });
}
