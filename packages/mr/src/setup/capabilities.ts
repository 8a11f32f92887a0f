/**
 * What this server offers, in upstream's `capabilityInfo` map (GET /initialize, and the answers that hand out a
 * token). Upstream's admin UI shows webhook and feature-group screens only when these say "true", so they must say
 * what is really served: feature groups (docs/feature-groups.md) and webhooks (ADR 0010) are, and there is no Dacha 1 here
 * (our Dacha speaks Dacha 2's protocol).
 */
export function capabilityInfo(): Record<string, string> {
  return {
    'webhook.features': 'true',
    featureGroupsEnabled: 'true',
    dacha1Enabled: 'false',
    trackingId: '',
  };
}

/** Before setup upstream only names the tracking id. */
export function capabilityInfoBeforeSetup(): Record<string, string> {
  return { trackingId: '' };
}
