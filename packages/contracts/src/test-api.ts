import type { StreamedFeatureUpdate } from './cache-management.ts';
import type { FeatureStateUpdate } from './edge.ts';
import type { FeatureWireValue } from './strategy.ts';

// The test API (an SDK's `PUT /features/...`) crosses from Edge to MR: in process (party, Edge-REST) as a
// call through TestApiPort, between processes as a `feature-update-v1` request on the bus carrying a
// StreamedFeatureUpdate. Both sides share the port and the two pure converters here, so neither package
// has to import the other.

/**
 * A test-API update that passed Edge's checks (docs/edge-protocol.md §2.3 steps 1–7) against the cached
 * state. `value` is already converted to the feature's wire type (BOOLEAN boolean, NUMBER number,
 * STRING/JSON string, `null` = clear).
 */
export interface TestFeatureUpdate {
  readonly environmentId: string;
  /** The service-key part of the API key. */
  readonly apiKey: string;
  readonly serviceAccountId: string;
  readonly organizationId: string;
  readonly portfolioId: string;
  readonly applicationId: string;
  readonly featureId: string;
  readonly featureKey: string;
  /** `undefined` leaves the lock as it is. */
  readonly lock: boolean | undefined;
  /** True when the value is to be set to `value`. */
  readonly updateValue: boolean;
  readonly value: FeatureWireValue;
  /** The body as the SDK sent it. */
  readonly request: FeatureStateUpdate;
}

/** Statuses a test-API update may end with (any 2xx is success to the SDK). */
export type TestApiStatus = 200 | 202 | 400 | 403 | 404 | 412 | 503;

/** The answer to a {@link TestFeatureUpdate}: a status and, when refused, why. */
export interface TestApiResult {
  readonly status: TestApiStatus;
  readonly message?: string;
}

/**
 * Applies test-API updates through MR, so the change is stored, versioned, written to history and
 * published to the caches like any other change. Edge calls it; MR implements it (in process) or answers
 * it over the bus. MR re-checks against its own (authoritative) state in the order of §2.3 and answers:
 * 200 changed, 202 nothing to change, 404 unknown environment/key/feature, 403 missing role, 412 locked
 * (or null flag), 400 bad value. Throwing means an unexpected failure (Edge answers 500).
 */
export interface TestApiPort {
  applyFeatureUpdate(update: TestFeatureUpdate): Promise<TestApiResult>;
}

/** The test-SDK update as it travels to MR (`feature-update-v1`, upstream's StreamedFeatureUpdate). */
export function toStreamedFeatureUpdate(update: TestFeatureUpdate): StreamedFeatureUpdate {
  const out: StreamedFeatureUpdate = {
    apiKey: update.apiKey,
    environmentId: update.environmentId,
    featureKey: update.featureKey,
    featureId: update.featureId,
    updatingValue: update.updateValue,
    organizationId: update.organizationId,
    portfolioId: update.portfolioId,
    applicationId: update.applicationId,
    serviceKeyId: update.serviceAccountId,
  };
  if (update.lock !== undefined) out.lock = update.lock;
  if (update.updateValue) {
    if (typeof update.value === 'boolean') out.valueBoolean = update.value;
    else if (typeof update.value === 'number') out.valueNumber = update.value;
    else if (typeof update.value === 'string') out.valueString = update.value;
  }
  return out;
}

/**
 * The inverse of {@link toStreamedFeatureUpdate}, as MR reads an update from the bus. The SDK's body is
 * rebuilt from what the message carries (`value` and `updateValue: true` when a value is set, `lock`
 * when given); missing ids become `''`.
 */
export function fromStreamedFeatureUpdate(update: StreamedFeatureUpdate): TestFeatureUpdate {
  const updateValue = update.updatingValue === true;
  const value: FeatureWireValue = updateValue
    ? (update.valueBoolean ?? update.valueNumber ?? update.valueString ?? null)
    : null;
  const lock = update.lock ?? undefined;
  return {
    environmentId: update.environmentId,
    apiKey: update.apiKey,
    serviceAccountId: update.serviceKeyId ?? '',
    organizationId: update.organizationId ?? '',
    portfolioId: update.portfolioId ?? '',
    applicationId: update.applicationId ?? '',
    featureId: update.featureId ?? '',
    featureKey: update.featureKey,
    lock,
    updateValue,
    value,
    request: {
      ...(updateValue ? { value, updateValue: true } : {}),
      ...(lock === undefined ? {} : { lock }),
    },
  };
}
