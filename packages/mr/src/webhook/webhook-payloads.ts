import type { CacheEnvironmentFeature } from '@fh/contracts';
import type { Stores } from '../db/stores.ts';
import { CachePayloads } from '../publishing/cache-payloads.ts';
import { keysToEncrypt } from '../system-config/secret-box.ts';
import type { OutboxEvent } from './webhook-store.ts';

/**
 * The `enriched-feature-v1` body (webhooks-1.2.2.yaml `EnrichedFeatures`, upstream's short property
 * names) from the committed state, plus two fields upstream receivers ignore: `previous` (the changed
 * features' values before the change) and `whoChanged`. Undefined when the environment is gone.
 */
export async function enrichedFeaturesBody(
  stores: Stores,
  event: Pick<OutboxEvent, 'environmentId' | 'featureKeys' | 'previous' | 'whoChanged'>,
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
      fv: env.featureValues.map(shortFeature),
      sa: env.serviceAccounts,
      c: 1,
    },
    featureKeys: event.featureKeys,
    previous: event.previous,
    whoChanged: event.whoChanged,
  };
}

function shortFeature(f: CacheEnvironmentFeature): Record<string, unknown> {
  const out: Record<string, unknown> = { feature: f.feature };
  if (f.fp) out['fp'] = f.fp;
  if (!f.value) {
    out['value'] = null;
    return out;
  }
  const { personIdWhoChanged, ...value } = f.value;
  out['value'] = personIdWhoChanged ? { ...value, pId: personIdWhoChanged } : value;
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
