import type { CacheEnvironmentFeature, FeatureStateUpdate, FeatureWireValue, RoleType } from '@fh/contracts';
import { toWireValue } from '@fh/evaluation';

/** What Edge decided about a test-API update before anything is written. */
export type TestUpdateDecision =
  | { readonly outcome: 'reject'; readonly status: 400 | 403 | 412; readonly message: string }
  | { readonly outcome: 'unchanged' }
  | {
      readonly outcome: 'apply';
      readonly lock: boolean | undefined;
      readonly updateValue: boolean;
      readonly value: FeatureWireValue;
    };

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const WRITE_ROLES: readonly RoleType[] = ['LOCK', 'UNLOCK', 'CHANGE_VALUE'];

function reject(status: 400 | 403 | 412, message: string): TestUpdateDecision {
  return { outcome: 'reject', status, message };
}

function asText(value: unknown): string {
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** The value in the feature's wire type, or an error message (docs/edge-protocol.md §2.3 step 6). */
function typedValue(
  type: CacheEnvironmentFeature['feature']['valueType'],
  value: unknown,
): { ok: true; value: FeatureWireValue } | { ok: false; message: string } {
  switch (type) {
    case 'BOOLEAN': {
      const text = String(value).toLowerCase();
      if (typeof value === 'object' || (text !== 'true' && text !== 'false')) {
        return { ok: false, message: 'a BOOLEAN feature takes true or false' };
      }
      return { ok: true, value: text === 'true' };
    }
    case 'NUMBER': {
      const text = String(value).trim();
      if (typeof value === 'object' || !DECIMAL.test(text) || !Number.isFinite(Number(text))) {
        return { ok: false, message: 'a NUMBER feature takes a decimal number' };
      }
      return { ok: true, value: Number(text) };
    }
    case 'JSON': {
      // As upstream: the string form must parse, so JSON values travel as strings.
      const text = String(value);
      try {
        JSON.parse(text);
      } catch {
        return { ok: false, message: 'a JSON feature takes a string containing valid JSON' };
      }
      return { ok: true, value: text };
    }
    default:
      return { ok: true, value: asText(value) };
  }
}

/**
 * Decides a test-API update in the order of docs/edge-protocol.md §2.3 (the Java FeatureUpdateProcessor):
 * roles → "nothing to do" → value role and lock → value type → "no actual change" (202).
 * Lookup failures (404) are the caller's.
 */
export function decideTestUpdate(
  feature: CacheEnvironmentFeature,
  roles: readonly RoleType[],
  update: FeatureStateUpdate,
): TestUpdateDecision {
  if (!roles.some((r) => WRITE_ROLES.includes(r))) return reject(403, 'no write roles');
  const lock = update.lock ?? undefined;
  if (lock === true && !roles.includes('LOCK')) return reject(403, 'the key has no LOCK role');
  if (lock === false && !roles.includes('UNLOCK')) return reject(403, 'the key has no UNLOCK role');

  const hasValue = update.value !== undefined && update.value !== null;
  const updateValue = hasValue || update.updateValue === true;
  if (lock === undefined && !updateValue) return reject(400, 'lock and updateValue null, nothing to do');

  const type = feature.feature.valueType;
  const currentlyLocked = feature.value?.locked === true;
  let value: FeatureWireValue = null;
  if (updateValue) {
    if (!roles.includes('CHANGE_VALUE')) return reject(403, 'the key has no CHANGE_VALUE role');
    if (currentlyLocked && lock !== false) {
      return reject(412, 'it is locked, cannot change value without also unlocking');
    }
    if (hasValue) {
      const typed = typedValue(type, update.value);
      if (!typed.ok) return reject(400, typed.message);
      value = typed.value;
    } else if (type === 'BOOLEAN') {
      return reject(412, 'cannot set flag value to null');
    }
  }

  const lockChanges = lock !== undefined && lock !== currentlyLocked;
  const current = toWireValue(type, feature.value?.value) ?? null;
  const valueChanges = updateValue && current !== value;
  if (!lockChanges && !valueChanges) return { outcome: 'unchanged' };
  return { outcome: 'apply', lock, updateValue, value };
}
