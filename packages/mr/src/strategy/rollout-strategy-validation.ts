import { isIP } from 'node:net';
import { AppError } from '@fh/service-kit';
import {
  type RolloutStrategy as ApiRolloutStrategy,
  type CustomRolloutStrategyViolation,
  type FeatureValueType,
  type RolloutStrategyAttribute,
  type RolloutStrategyCollectionViolationType,
  type RolloutStrategyInstance,
  type RolloutStrategyValidationResponse,
  type RolloutStrategyViolation,
  type RolloutStrategyViolationType,
  StrategyAttributeCountryNameSchema,
  StrategyAttributeDeviceNameSchema,
  StrategyAttributePlatformNameSchema,
} from '../api/index.ts';
import { randomAlphanumeric } from '../auth/tokens.ts';

// Rollout-strategy validation (docs/admin-api-rules.md §Rollout strategies): every save of a feature
// value, the application-strategy endpoints and POST /application/{appId}/rollout-strategy-validation
// run the strategies through here. Strategies are first normalised (ids, trimmed names, typed
// attribute values), then checked; the response carries the normalised strategies so clients can
// match violations to what they sent.

/** Percentages are integers on this scale: 1,000,000 = 100 %. */
export const MAX_PERCENTAGE = 1_000_000;
/** Strategy and attribute ids are this many alphanumerics; longer ids are replaced. */
export const STRATEGY_ID_LENGTH = 4;
export const MAX_STRATEGY_NAME_LENGTH = 200;

const WELL_KNOWN_VALUES: Readonly<Record<string, ReadonlySet<string>>> = {
  country: new Set(StrategyAttributeCountryNameSchema.enum),
  device: new Set(StrategyAttributeDeviceNameSchema.enum),
  platform: new Set(StrategyAttributePlatformNameSchema.enum),
};

// Strict SemVer 2.0.0 (semver.org), which is what upstream MR checks on save.
const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const ISO_OFFSET_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):(\d{2})(?::(\d{2}))?)$/;
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * A feature value's own (custom) rollout strategy: the shape clients send, this validator checks and the
 * feature-value store keeps as JSON (the contract's RolloutStrategy).
 */
export type CustomRolloutStrategy = ApiRolloutStrategy;

export interface RolloutStrategyValidationInput {
  customStrategies?: readonly ApiRolloutStrategy[] | null;
  sharedStrategies?: readonly RolloutStrategyInstance[] | null;
  /** When the strategies belong to a feature value: BOOLEAN values need a strategy value. */
  featureValueType?: FeatureValueType;
}

/** What validateRolloutStrategies answers, plus the normalised strategies to store. */
export interface RolloutStrategyValidation {
  response: RolloutStrategyValidationResponse;
  customStrategies: ApiRolloutStrategy[];
  sharedStrategies: RolloutStrategyInstance[];
}

/** The strategies broke the rules; the body is the RolloutStrategyValidationResponse (HTTP 422). */
export class InvalidRolloutStrategiesError extends AppError {
  constructor(readonly response: RolloutStrategyValidationResponse) {
    super(422, 'invalid_strategies', describeViolations(response));
  }

  /** The upstream body (RolloutStrategyValidationResponse) with our code and message added. */
  body(): RolloutStrategyValidationResponse & { code: string; message: string } {
    return { ...this.response, code: this.code, message: this.message };
  }
}

/** True when the response lists any violation at all. */
export function hasViolations(response: RolloutStrategyValidationResponse): boolean {
  return (
    (response.violations?.length ?? 0) > 0 ||
    (response.customStategyViolations ?? []).some((c) => (c.violations?.length ?? 0) > 0) ||
    (response.sharedStrategyViolations ?? []).some((s) => (s.violation?.length ?? 0) > 0)
  );
}

/**
 * Normalises and validates strategies together. Every RolloutStrategyViolationType and
 * RolloutStrategyCollectionViolationType can come out of here; the input is never modified.
 */
export function validateRolloutStrategies(input: RolloutStrategyValidationInput): RolloutStrategyValidation {
  const customStrategies = normaliseRolloutStrategies(input.customStrategies ?? []);
  const sharedStrategies = (input.sharedStrategies ?? []).map((s) => ({ ...s }));
  const violations: RolloutStrategyCollectionViolationType[] = [];
  const customStategyViolations: CustomRolloutStrategyViolation[] = [];

  for (const strategy of customStrategies) {
    const found = strategyViolations(strategy);
    if (found.length > 0) customStategyViolations.push({ strategy, violations: found });
  }
  if (
    input.featureValueType === 'BOOLEAN' &&
    customStrategies.some((s) => s.value === null || s.value === undefined)
  ) {
    violations.push('boolean_has_no_value');
  }
  const percentageOnlyTotal = customStrategies
    .filter((s) => (s.attributes ?? []).length === 0 && typeof s.percentage === 'number')
    .reduce((sum, s) => sum + (s.percentage as number), 0);
  if (percentageOnlyTotal > MAX_PERCENTAGE) violations.push('percentage_adds_over_100_percent');

  return {
    response: { customStategyViolations, sharedStrategyViolations: [], violations },
    customStrategies,
    sharedStrategies,
  };
}

/** Like validateRolloutStrategies, but throws InvalidRolloutStrategiesError (422) on any violation. */
export function requireValidRolloutStrategies(
  input: RolloutStrategyValidationInput,
): RolloutStrategyValidation {
  const result = validateRolloutStrategies(input);
  if (hasViolations(result.response)) throw new InvalidRolloutStrategiesError(result.response);
  return result;
}

/**
 * The violations of one strategy on its own (names, percentage, attributes). Expects a normalised
 * strategy (see normaliseRolloutStrategy); attribute violations carry the attribute id.
 */
export function strategyViolations(strategy: Partial<ApiRolloutStrategy>): RolloutStrategyViolation[] {
  const out: RolloutStrategyViolation[] = [];
  const add = (violation: RolloutStrategyViolationType, id?: string | null) =>
    out.push(id === undefined ? { violation } : { id, violation });
  const name = typeof strategy.name === 'string' ? strategy.name.trim() : '';
  if (name === '') add('no_name');
  else if (name.length > MAX_STRATEGY_NAME_LENGTH) add('name_too_long');

  const attributes = Array.isArray(strategy.attributes) ? strategy.attributes : [];
  const percentage = strategy.percentage;
  if (attributes.length === 0 && (percentage === null || percentage === undefined))
    add('empty_match_criteria');
  if (typeof percentage === 'number' && percentage < 0) add('negative_percentage');
  if (typeof percentage === 'number' && percentage > MAX_PERCENTAGE) add('percentage_over_100_percent');

  for (const attribute of attributes) {
    for (const violation of attributeViolations(attribute)) add(violation, attribute?.id ?? null);
  }
  return out;
}

function attributeViolations(
  attribute: Partial<RolloutStrategyAttribute> | null,
): RolloutStrategyViolationType[] {
  if (attribute === null || typeof attribute !== 'object') return ['attr_unknown_failure'];
  const out: RolloutStrategyViolationType[] = [];
  if (!attribute.conditional) out.push('attr_missing_conditional');
  const fieldName = typeof attribute.fieldName === 'string' ? attribute.fieldName.trim() : '';
  if (fieldName === '') out.push('attr_missing_field_name');
  if (!attribute.type) out.push('attr_missing_field_type');
  if (attribute.values !== undefined && attribute.values !== null && !Array.isArray(attribute.values)) {
    out.push('attr_unknown_failure');
    return out;
  }
  const values = attribute.values ?? [];
  if (values.length === 0) {
    out.push('array_attribute_no_values');
    return out;
  }
  if (values.some((v) => v === null || v === undefined || (typeof v === 'string' && v.trim() === ''))) {
    out.push('attr_missing_value');
  }
  const present = values.filter(
    (v) => v !== null && v !== undefined && !(typeof v === 'string' && v.trim() === ''),
  );
  if (present.some((v) => typeof v === 'object')) {
    out.push('attr_unknown_failure');
    return out;
  }
  const typeViolation = attribute.type ? valueTypeViolation(attribute.type, present) : undefined;
  if (typeViolation) out.push(typeViolation);
  const wellKnown = WELL_KNOWN_VALUES[fieldName];
  if (wellKnown && (attribute.type === 'STRING' || !attribute.type)) {
    if (present.some((v) => !wellKnown.has(String(v).trim()))) out.push('attr_invalid_well_known_enum');
  }
  return out;
}

function valueTypeViolation(
  type: RolloutStrategyAttribute['type'],
  values: readonly unknown[],
): RolloutStrategyViolationType | undefined {
  const every = (ok: (text: string, raw: unknown) => boolean) => values.every((v) => ok(String(v).trim(), v));
  switch (type) {
    case 'SEMANTIC_VERSION':
      return every((t) => SEMVER.test(t)) ? undefined : 'attr_val_not_semantic_version';
    case 'NUMBER':
      return every((t, raw) => (typeof raw === 'number' ? Number.isFinite(raw) : DECIMAL.test(t)))
        ? undefined
        : 'attr_val_not_number';
    case 'DATE':
      return every(isIsoDate) ? undefined : 'attr_val_not_date';
    case 'DATETIME':
      return every(isIsoOffsetDateTime) ? undefined : 'attr_val_not_date_time';
    case 'IP_ADDRESS':
      return every(isIpOrCidr) ? undefined : 'attr_val_not_cidr';
    default:
      return undefined;
  }
}

function validCalendarDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1] ?? 0;
  return d <= days;
}

/** `YYYY-MM-DD`, a real calendar day. */
export function isIsoDate(text: string): boolean {
  const m = ISO_DATE.exec(text);
  return m !== null && validCalendarDate(Number(m[1]), Number(m[2]), Number(m[3]));
}

/** An ISO-8601 date-time with an offset (`Z` or `±HH:MM`), e.g. `2024-02-29T10:00:00+01:00`. */
export function isIsoOffsetDateTime(text: string): boolean {
  const m = ISO_OFFSET_DATE_TIME.exec(text);
  if (m === null || !validCalendarDate(Number(m[1]), Number(m[2]), Number(m[3]))) return false;
  if (Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6] ?? 0) > 59) return false;
  return Number(m[7] ?? 0) <= 18 && Number(m[8] ?? 0) <= 59 && Number(m[9] ?? 0) <= 59;
}

/** An IPv4 or IPv6 address, optionally with a CIDR prefix. */
export function isIpOrCidr(text: string): boolean {
  const slash = text.indexOf('/');
  const address = slash < 0 ? text : text.slice(0, slash);
  const family = isIP(address);
  if (family === 0) return false;
  if (slash < 0) return true;
  const prefix = text.slice(slash + 1);
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

// ---- normalisation ----

/** A fresh id of STRATEGY_ID_LENGTH alphanumerics not in `taken` (which it is then added to). */
export function newStrategyId(
  taken: Set<string>,
  random: (length: number) => string = randomAlphanumeric,
): string {
  let id = random(STRATEGY_ID_LENGTH);
  while (taken.has(id)) id = random(STRATEGY_ID_LENGTH);
  taken.add(id);
  return id;
}

const needsId = (id: unknown, taken: Set<string>) =>
  typeof id !== 'string' || id === '' || id.length > STRATEGY_ID_LENGTH || taken.has(id);

/**
 * Copies of the strategies with names trimmed, ids given to strategies and attributes that lack one (or
 * have one longer than 4 characters, or repeat an earlier one), STRING attribute values trimmed and
 * BOOLEAN attribute values turned into booleans. Never throws: odd shapes are left for validation.
 */
export function normaliseRolloutStrategies(
  strategies: readonly ApiRolloutStrategy[],
  random?: (length: number) => string,
): ApiRolloutStrategy[] {
  const takenStrategyIds = new Set<string>();
  const copies = strategies.map((s) => (s !== null && typeof s === 'object' ? { ...s } : s));
  // Keep the ids clients chose first, so a generated id never steals one that appears later.
  const keep = copies.map((s) => {
    const id = s?.id;
    if (!needsId(id, takenStrategyIds)) {
      takenStrategyIds.add(id as string);
      return true;
    }
    return false;
  });
  return copies.map((s, i) => {
    if (s === null || typeof s !== 'object') return s;
    const out: ApiRolloutStrategy = { ...s };
    if (!keep[i]) out.id = newStrategyId(takenStrategyIds, random);
    if (typeof out.name === 'string') out.name = out.name.trim();
    if (Array.isArray(out.attributes)) out.attributes = normaliseAttributes(out.attributes, random);
    return out;
  });
}

function normaliseAttributes(
  attributes: readonly RolloutStrategyAttribute[],
  random?: (length: number) => string,
): RolloutStrategyAttribute[] {
  const taken = new Set<string>();
  const keep = attributes.map((a) => {
    const id = a?.id;
    if (a !== null && typeof a === 'object' && !needsId(id, taken)) {
      taken.add(id as string);
      return true;
    }
    return false;
  });
  return attributes.map((a, i) => {
    if (a === null || typeof a !== 'object') return a;
    const out: RolloutStrategyAttribute = { ...a };
    if (!keep[i]) out.id = newStrategyId(taken, random);
    if (typeof out.fieldName === 'string') out.fieldName = out.fieldName.trim();
    if (Array.isArray(out.values)) {
      if (out.type === 'STRING') {
        out.values = out.values.map((v) => (typeof v === 'string' ? v.trim() : v));
      } else if (out.type === 'BOOLEAN') {
        out.values = out.values
          .filter((v) => v !== null && v !== undefined)
          .map((v) => (typeof v === 'boolean' ? v : String(v).trim().toLowerCase() === 'true'));
      }
    }
    return out;
  });
}

function describeViolations(response: RolloutStrategyValidationResponse): string {
  const parts: string[] = [];
  for (const c of response.customStategyViolations ?? []) {
    const label = c.strategy?.name ? `"${c.strategy.name}"` : `strategy ${c.strategy?.id ?? '?'}`;
    parts.push(`${label}: ${(c.violations ?? []).map((v) => v.violation).join(', ')}`);
  }
  for (const s of response.sharedStrategyViolations ?? []) {
    parts.push(
      `application strategy ${s.strategy?.strategyId ?? '?'}: ${(s.violation ?? []).map((v) => v.violation).join(', ')}`,
    );
  }
  parts.push(...(response.violations ?? []));
  return `The rollout strategies are invalid: ${parts.join('; ')}`;
}
