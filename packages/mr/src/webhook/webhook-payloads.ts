import type { CacheEnvironmentFeature } from '@fh/contracts';
import type { Stores } from '../db/stores.ts';
import { CachePayloads } from '../publishing/cache-payloads.ts';
import { keysToEncrypt } from '../system-config/secret-box.ts';
import type { OutboxEvent, PinnedValue } from './webhook-store.ts';

/**
 * The `enriched-feature-v1` body (webhooks-1.2.2.yaml `EnrichedFeatures`, upstream's short property
 * names) from the committed state with the changed values as this change left them, plus two fields
 * upstream receivers ignore: `previous` (the changed features' values before the change) and `whoChanged`. Undefined when the environment is gone.
 */
export async function enrichedFeaturesBody(
  stores: Stores,
  event: Pick<OutboxEvent, 'environmentId' | 'featureKeys' | 'previous' | 'current' | 'whoChanged'>,
): Promise<Record<string, unknown> | undefined> {
  const env = await new CachePayloads(stores).environment(event.environmentId);
  if (!env) return undefined;
  return {
    environment: {
      environment: {
        id: env.environment.id,
        version: env.environment.version,
        eInf: withoutManagementKeys(env.environment.eInf ?? {}),
        wInfo: publicWebhookInfo(env.environment.wInfo ?? {}),
      },
      action: 'UPDATE',
      oId: env.organizationId,
      pId: env.portfolioId,
      aId: env.applicationId,
      fv: env.featureValues.map((f) => shortFeature(f, event.current[f.feature.key])),
      sa: env.serviceAccounts,
      c: 1,
    },
    featureKeys: event.featureKeys,
    previous: event.previous,
    whoChanged: event.whoChanged,
  };
}

/**
 * One feature in upstream's short form. A value this event changed shows as the change left it (`pinned`),
 * even when later changes are already committed: each event tells its own change.
 */
function shortFeature(
  f: CacheEnvironmentFeature,
  pinned: PinnedValue | null | undefined,
): Record<string, unknown> {
  const out: Record<string, unknown> = { feature: f.feature };
  if (f.fp) out['fp'] = f.fp;
  if (!f.value) {
    out['value'] = pinned
      ? {
          key: f.feature.key,
          locked: pinned.locked,
          value: pinned.value,
          version: pinned.version,
          retired: pinned.retired,
          ...(pinned.pId ? { pId: pinned.pId } : {}),
        }
      : null;
    return out;
  }
  const { personIdWhoChanged, ...value } = f.value;
  const pId = pinned ? pinned.pId : personIdWhoChanged;
  const shown = pinned
    ? {
        ...value,
        value: pinned.value,
        version: pinned.version,
        locked: pinned.locked,
        retired: pinned.retired,
      }
    : value;
  out['value'] = pId ? { ...shown, pId } : shown;
  return out;
}

function withoutManagementKeys(info: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(info).filter(([k]) => !k.startsWith('mgmt.')));
}

/** Webhook settings without secrets: encrypted keys, their ciphertexts and the encrypt lists left out. */
export function publicWebhookInfo(info: Record<string, string>): Record<string, string> {
  const secret = new Set(keysToEncrypt(info));
  return Object.fromEntries(
    Object.entries(info).filter(
      ([k]) => !secret.has(k) && !k.endsWith('.encrypt') && !k.endsWith('.encrypted') && !k.endsWith('.salt'),
    ),
  );
}
