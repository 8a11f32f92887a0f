// The strategy editor's model: what a person types, how it maps to RolloutStrategy on the wire, and the
// checks we can make before asking the server (which re-validates everything and has the last word).
import type {
  FeatureValueType,
  RolloutStrategy,
  RolloutStrategyAttribute,
  RolloutStrategyAttributeConditional,
  RolloutStrategyFieldType,
  StrategyValue,
} from '../api/types.ts';
import { parseNumberInput, toWireValue } from './feature-value.ts';
import { COUNTRIES, DEVICES, PLATFORMS } from './well-known.ts';

/** The pickers the editor offers; `custom` is a free attribute name with a type. */
export type RuleKind = 'country' | 'device' | 'platform' | 'userkey' | 'version' | 'custom';

export interface RuleForm {
  kind: RuleKind;
  id?: string;
  fieldName: string;
  type: RolloutStrategyFieldType;
  conditional: RolloutStrategyAttributeConditional;
  values: string[];
}

export interface StrategyForm {
  id?: string;
  name: string;
  /** As typed, in percent (e.g. "12.5"); empty means no percentage rule. */
  percentage: string;
  /** Attribute names hashed instead of the user key; comma-separated as typed. */
  percentageAttributes: string;
  rules: RuleForm[];
  disabled: boolean;
  /** The value served when the strategy matches (not used by application strategies). */
  value: StrategyValue;
  /** Fields we do not edit but must send back unchanged. */
  colouring?: number;
  avatar?: string;
}

export const PERCENT_SCALE = 10_000; // the wire percentage is percent × 10,000 (four decimals)
export const MAX_WIRE_PERCENTAGE = 1_000_000;

export const CONDITIONALS_BY_TYPE: Record<RolloutStrategyFieldType, RolloutStrategyAttributeConditional[]> = {
  STRING: ['EQUALS', 'NOT_EQUALS', 'STARTS_WITH', 'ENDS_WITH', 'INCLUDES', 'EXCLUDES', 'REGEX'],
  SEMANTIC_VERSION: ['EQUALS', 'NOT_EQUALS', 'GREATER', 'GREATER_EQUALS', 'LESS', 'LESS_EQUALS'],
  NUMBER: ['EQUALS', 'NOT_EQUALS', 'GREATER', 'GREATER_EQUALS', 'LESS', 'LESS_EQUALS'],
  DATE: ['EQUALS', 'NOT_EQUALS', 'GREATER', 'GREATER_EQUALS', 'LESS', 'LESS_EQUALS'],
  DATETIME: ['EQUALS', 'NOT_EQUALS', 'GREATER', 'GREATER_EQUALS', 'LESS', 'LESS_EQUALS'],
  BOOLEAN: ['EQUALS', 'NOT_EQUALS'],
  IP_ADDRESS: ['EQUALS', 'NOT_EQUALS', 'INCLUDES', 'EXCLUDES'],
};

/** Conditionals for the country/device/platform pickers: the person picks a set of allowed values. */
export const ENUM_CONDITIONALS: RolloutStrategyAttributeConditional[] = ['EQUALS', 'NOT_EQUALS'];

export const CONDITIONAL_LABELS: Record<RolloutStrategyAttributeConditional, string> = {
  EQUALS: 'equals',
  NOT_EQUALS: 'does not equal',
  STARTS_WITH: 'starts with',
  ENDS_WITH: 'ends with',
  INCLUDES: 'includes',
  EXCLUDES: 'excludes',
  REGEX: 'matches regex',
  GREATER: 'greater than',
  GREATER_EQUALS: 'greater than or equal to',
  LESS: 'less than',
  LESS_EQUALS: 'less than or equal to',
};

export const FIELD_TYPE_LABELS: Record<RolloutStrategyFieldType, string> = {
  STRING: 'Text',
  SEMANTIC_VERSION: 'Semantic version',
  NUMBER: 'Number',
  DATE: 'Date',
  DATETIME: 'Date & time',
  BOOLEAN: 'Boolean',
  IP_ADDRESS: 'IP address / CIDR',
};

export const RULE_KIND_LABELS: Record<RuleKind, string> = {
  country: 'Country',
  device: 'Device',
  platform: 'Platform',
  userkey: 'User key',
  version: 'Version',
  custom: 'Custom',
};

export function newRule(kind: RuleKind): RuleForm {
  switch (kind) {
    case 'country':
    case 'device':
    case 'platform':
      return { kind, fieldName: kind, type: 'STRING', conditional: 'EQUALS', values: [] };
    case 'userkey':
      return { kind, fieldName: 'userkey', type: 'STRING', conditional: 'EQUALS', values: [] };
    case 'version':
      return {
        kind,
        fieldName: 'version',
        type: 'SEMANTIC_VERSION',
        conditional: 'GREATER_EQUALS',
        values: [],
      };
    case 'custom':
      return { kind, fieldName: '', type: 'STRING', conditional: 'EQUALS', values: [] };
  }
}

export function emptyStrategy(valueType?: FeatureValueType): StrategyForm {
  return {
    name: '',
    percentage: '',
    percentageAttributes: '',
    rules: [],
    disabled: false,
    value: valueType === 'BOOLEAN' ? true : null,
  };
}

/** "12.5" → 125000. Undefined for an empty field; an error message for anything else that is not 0..100 with ≤4 decimals. */
export function parsePercentage(
  text: string,
): { ok: true; value: number | undefined } | { ok: false; error: string } {
  const t = text.trim().replace(/%$/, '').trim();
  if (t === '') return { ok: true, value: undefined };
  if (!/^\d+(\.\d{0,4})?$/.test(t) && !/^\.\d{1,4}$/.test(t)) {
    if (/^-/.test(t)) return { ok: false, error: 'The percentage cannot be negative.' };
    if (/^\d*\.\d{5,}$/.test(t))
      return { ok: false, error: 'The percentage can have at most four decimals.' };
    return { ok: false, error: 'The percentage must be a number between 0 and 100.' };
  }
  const [whole = '0', frac = ''] = t.split('.');
  const wire = Number(whole || '0') * PERCENT_SCALE + Number(frac.padEnd(4, '0'));
  if (wire > MAX_WIRE_PERCENTAGE) return { ok: false, error: 'The percentage cannot be over 100%.' };
  return { ok: true, value: wire };
}

/** 125000 → "12.5". */
export function formatPercentage(wire: number | undefined | null): string {
  if (wire === undefined || wire === null) return '';
  const whole = Math.floor(wire / PERCENT_SCALE);
  const frac = String(wire % PERCENT_SCALE)
    .padStart(4, '0')
    .replace(/0+$/, '');
  return frac === '' ? String(whole) : `${whole}.${frac}`;
}

function ruleKindOf(a: RolloutStrategyAttribute): RuleKind {
  switch (a.fieldName) {
    case 'country':
    case 'device':
    case 'platform':
      return a.type === 'STRING' ? a.fieldName : 'custom';
    case 'userkey':
      return a.type === 'STRING' ? 'userkey' : 'custom';
    case 'version':
      return a.type === 'SEMANTIC_VERSION' ? 'version' : 'custom';
    default:
      return 'custom';
  }
}

export function strategyToForm(s: RolloutStrategy): StrategyForm {
  const form: StrategyForm = {
    name: s.name ?? '',
    percentage: s.percentage ? formatPercentage(s.percentage) : '',
    percentageAttributes: (s.percentageAttributes ?? []).join(', '),
    rules: (s.attributes ?? []).map((a) => ({
      kind: ruleKindOf(a),
      fieldName: a.fieldName,
      type: a.type,
      conditional: a.conditional,
      values: (a.values ?? []).map((v) => String(v)),
      ...(a.id !== undefined ? { id: a.id } : {}),
    })),
    disabled: s.disabled ?? false,
    value: s.value ?? null,
  };
  if (s.id !== undefined) form.id = s.id;
  if (s.colouring !== undefined) form.colouring = s.colouring;
  if (s.avatar !== undefined) form.avatar = s.avatar;
  return form;
}

function wireValue(type: RolloutStrategyFieldType, v: string): string | number | boolean {
  const t = v.trim();
  if (type === 'NUMBER' && t !== '' && Number.isFinite(Number(t))) return Number(t);
  if (type === 'BOOLEAN') return t.toLowerCase() === 'true';
  return t;
}

/** The wire strategy for a form; call validateStrategy first, this does not check anything. */
export function formToStrategy(
  form: StrategyForm,
  includeValue: boolean,
  valueType?: FeatureValueType,
): RolloutStrategy {
  const pct = parsePercentage(form.percentage);
  const out: RolloutStrategy = {
    name: form.name.trim(),
    attributes: form.rules.map((r) => {
      const a: RolloutStrategyAttribute = {
        conditional: r.conditional,
        fieldName: r.fieldName.trim(),
        type: r.type,
        values: r.values.filter((v) => v.trim() !== '').map((v) => wireValue(r.type, v)),
      };
      if (r.id !== undefined) a.id = r.id;
      return a;
    }),
  };
  if (form.id !== undefined) out.id = form.id;
  if (pct.ok && pct.value !== undefined) out.percentage = pct.value;
  const pa = form.percentageAttributes
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '');
  if (pa.length > 0) out.percentageAttributes = pa;
  if (form.disabled) out.disabled = true;
  if (form.colouring !== undefined) out.colouring = form.colouring;
  if (form.avatar !== undefined) out.avatar = form.avatar;
  if (includeValue) out.value = toWireValue(valueType, form.value);
  return out;
}

const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

function isIp(v: string): boolean {
  const [addr = '', mask, extra] = v.split('/');
  if (extra !== undefined) return false;
  const v4 = IPV4.test(addr);
  const v6 = !v4 && /^[0-9a-fA-F:.]+$/.test(addr) && addr.includes(':') && addr.split('::').length <= 2;
  if (!v4 && !v6) return false;
  if (mask === undefined) return true;
  if (!/^\d{1,3}$/.test(mask)) return false;
  return Number(mask) <= (v4 ? 32 : 128);
}

function isValidDate(v: string): boolean {
  return DATE.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`));
}

/** Why a single value does not fit a rule's type, or undefined when it does. */
export function valueProblem(type: RolloutStrategyFieldType, raw: string): string | undefined {
  const v = raw.trim();
  switch (type) {
    case 'SEMANTIC_VERSION':
      return SEMVER.test(v) ? undefined : `"${v}" is not a semantic version like 1.2.3.`;
    case 'NUMBER':
      return v !== '' && Number.isFinite(Number(v)) ? undefined : `"${v}" is not a number.`;
    case 'DATE':
      return isValidDate(v) ? undefined : `"${v}" is not a date like 2025-01-31.`;
    case 'DATETIME':
      return DATETIME.test(v) && !Number.isNaN(Date.parse(v))
        ? undefined
        : `"${v}" is not a date-time like 2025-01-31T09:00:00Z.`;
    case 'BOOLEAN':
      return /^(true|false)$/i.test(v) ? undefined : `"${v}" must be true or false.`;
    case 'IP_ADDRESS':
      return isIp(v) ? undefined : `"${v}" is not an IP address or CIDR range like 10.0.0.0/8.`;
    case 'STRING':
      return undefined;
  }
}

export interface StrategyProblems {
  name?: string;
  percentage?: string;
  value?: string;
  general?: string;
  /** Problems per rule, by index. */
  rules: Record<number, string>;
}

export function hasProblems(p: StrategyProblems): boolean {
  return (
    p.name !== undefined ||
    p.percentage !== undefined ||
    p.value !== undefined ||
    p.general !== undefined ||
    Object.keys(p.rules).length > 0
  );
}

const ENUMS: Partial<Record<RuleKind, readonly string[]>> = {
  country: COUNTRIES,
  device: DEVICES,
  platform: PLATFORMS,
};

/** The checks the server makes, done early so the person sees them next to the field. */
export function validateStrategy(
  form: StrategyForm,
  options: { valueType?: FeatureValueType; requireValue: boolean },
): StrategyProblems {
  const problems: StrategyProblems = { rules: {} };
  const name = form.name.trim();
  if (name === '') problems.name = 'Give the strategy a name.';
  else if (name.length > 200) problems.name = 'The name can be 200 characters at most.';

  const pct = parsePercentage(form.percentage);
  if (!pct.ok) problems.percentage = pct.error;

  form.rules.forEach((r, i) => {
    const values = r.values.filter((v) => v.trim() !== '');
    if (r.fieldName.trim() === '') problems.rules[i] = 'Enter the attribute name this rule checks.';
    else if (values.length === 0) problems.rules[i] = 'Add at least one value.';
    else {
      const allowed = ENUMS[r.kind];
      const bad = allowed
        ? values.find((v) => !allowed.includes(v))
        : values.map((v) => valueProblem(r.type, v)).find((x) => x !== undefined);
      if (bad !== undefined) problems.rules[i] = allowed ? `"${bad}" is not one of the allowed values.` : bad;
      else if (r.conditional === 'REGEX') {
        const badRe = values.find((v) => {
          try {
            new RegExp(v);
            return false;
          } catch {
            return true;
          }
        });
        if (badRe !== undefined) problems.rules[i] = `"${badRe}" is not a valid regular expression.`;
      }
    }
  });

  if (pct.ok && (pct.value === undefined || pct.value === 0) && form.rules.length === 0) {
    problems.general = 'Add a percentage or at least one rule, otherwise this strategy never matches.';
  }

  if (options.requireValue) {
    const problem = strategyValueProblem(options.valueType, form.value);
    if (problem !== undefined) problems.value = problem;
  }
  return problems;
}

/** Checks the value a strategy serves against the feature's type. */
export function strategyValueProblem(
  type: FeatureValueType | undefined,
  value: StrategyValue,
): string | undefined {
  if (type === 'BOOLEAN' && typeof value !== 'boolean') return 'Choose whether the flag is on or off.';
  if (type === 'NUMBER' && value !== null) {
    const n = typeof value === 'string' ? parseNumberInput(value) : value;
    if (typeof n !== 'number' && n !== null) return 'Enter a number.';
    if (typeof n === 'number' && !Number.isFinite(n)) return 'Enter a number.';
  }
  if (type === 'JSON' && typeof value === 'string' && value.trim() !== '') {
    try {
      JSON.parse(value);
    } catch {
      return 'This is not valid JSON.';
    }
  }
  return undefined;
}

/**
 * The sum of the percentages of strategies that have no rules must stay within 100%, because those
 * share one bucket range per user; strategies with rules are checked on their own.
 */
export function percentageTotalProblem(strategies: RolloutStrategy[]): string | undefined {
  const total = strategies
    .filter((s) => !s.disabled && (s.attributes ?? []).length === 0)
    .reduce((sum, s) => sum + (s.percentage ?? 0), 0);
  return total > MAX_WIRE_PERCENTAGE
    ? `The percentage-only strategies add up to ${formatPercentage(total)}%, which is over 100%.`
    : undefined;
}

/** Moves one item of a list, for the up/down reordering buttons. */
export function moveItem<T>(list: readonly T[], from: number, to: number): T[] {
  if (from < 0 || from >= list.length || to < 0 || to >= list.length || from === to) return [...list];
  const copy = [...list];
  const [item] = copy.splice(from, 1);
  copy.splice(to, 0, item as T);
  return copy;
}
