import type { ChangeListener } from '../core/unit-of-work.ts';
import type { IdGenerator } from '../db/store-support.ts';
import type { Stores } from '../db/stores.ts';
import { defaultValueOnWire } from '../publishing/cache-payloads.ts';
import type { ChangeSet } from '../publishing/change-set.ts';
import {
  ENRICHED_FEATURES_TYPE,
  type NewOutboxEvent,
  type PinnedValue,
  SLACK_TYPE,
} from './webhook-store.ts';

/** The environment settings (webhookEnvironmentInfo) that switch deliveries on. */
export const WEBHOOK_ENABLED = 'webhook.features.enabled';
export const WEBHOOK_ENDPOINT = 'webhook.features.endpoint';
export const SLACK_ENABLED = 'integration.slack.enabled';

/**
 * Writes one outbox event per environment with a webhook or Slack enabled, inside the transaction of
 * the change (so a committed change always has its events, and a rolled-back one none). What is
 * fixed at the moment of the change is kept here (the keys, the changed values before and after it, who
 * made it); the rest of the body is read by the delivery worker, off the request path.
 */
export class WebhookEnqueuer implements ChangeListener {
  constructor(
    private readonly ids: IdGenerator,
    private readonly onCommit: () => void = () => undefined,
  ) {}

  async inTransaction(tx: Stores, changes: ChangeSet): Promise<void> {
    const features = new Map<string, Set<string>>();
    const touch = (environmentId: string) => {
      let set = features.get(environmentId);
      if (!set) {
        set = new Set();
        features.set(environmentId, set);
      }
      return set;
    };
    for (const { environmentId, featureId } of changes.featureValues.values())
      touch(environmentId).add(featureId);
    for (const f of changes.features.values()) {
      for (const env of await tx.environments.list({ applicationId: f.applicationId })) {
        touch(env.id).add(f.featureId);
      }
    }
    for (const [environmentId, change] of changes.environments) if (change !== 'delete') touch(environmentId);

    const events: NewOutboxEvent[] = [];
    for (const [environmentId, featureIds] of features) {
      const env = await tx.environments.findById(environmentId);
      if (!env) continue;
      const info = env.webhookEnvironmentInfo;
      const types: string[] = [];
      if (info[WEBHOOK_ENABLED] === 'true' && info[WEBHOOK_ENDPOINT]) types.push(ENRICHED_FEATURES_TYPE);
      if (info[SLACK_ENABLED] === 'true' && featureIds.size > 0) types.push(SLACK_TYPE);
      if (types.length === 0) continue;
      const featureKeys: string[] = [];
      const previous: Record<string, PinnedValue | null> = {};
      const current: Record<string, PinnedValue | null> = {};
      let whoChanged: string | null = null;
      for (const featureId of featureIds) {
        const feature = await tx.features.findById(featureId, { includeArchived: true });
        if (!feature) continue;
        featureKeys.push(feature.key);
        const value = await tx.featureValues.find(environmentId, featureId);
        if (!value || !changes.featureValues.has(`${environmentId}/${featureId}`)) continue;
        whoChanged = value.whoUpdated ?? whoChanged;
        current[feature.key] = {
          value: defaultValueOnWire(feature.valueType, value.value),
          version: value.version,
          locked: value.locked,
          retired: value.retired,
          pId: value.whoUpdated,
        };
        // Every save bumps the version by one, so the value before is the history row one version back.
        const prior =
          value.version > 1 ? await tx.featureValues.findVersion(value.id, value.version - 1) : undefined;
        previous[feature.key] = prior
          ? {
              value: defaultValueOnWire(feature.valueType, prior.value),
              locked: prior.locked,
              retired: prior.retired,
              version: prior.version,
              pId: prior.whoUpdated,
            }
          : null;
      }
      for (const eventType of types) {
        events.push({
          id: this.ids.next(),
          environmentId,
          eventType,
          featureKeys,
          previous,
          current,
          whoChanged,
        });
      }
    }
    await tx.webhooks.enqueue(events);
  }

  afterCommit(): void {
    // After the answer has gone out: the worker's queries must not queue ahead of the request's own.
    setTimeout(this.onCommit, 1);
  }
}
