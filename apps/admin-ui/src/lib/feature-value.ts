// Reading and writing the typed default value of a FeatureValue, and how values are shown in the console.
import type { FeatureValue, FeatureValueType, StrategyValue } from '../api/types.ts';

/**
 * The default value a FeatureValue holds for its type. The MR fills both `value` and the typed field on
 * reads, but writes only read the typed field, so the typed field wins.
 */
export function defaultValueOf(
  fv: FeatureValue | undefined,
  type: FeatureValueType | undefined,
): StrategyValue {
  if (fv === undefined) return null;
  switch (type) {
    case 'BOOLEAN': {
      if (typeof fv.valueBoolean === 'boolean') return fv.valueBoolean;
      if (typeof fv.value === 'boolean') return fv.value;
      if (fv.value === 'true' || fv.value === 'false') return fv.value === 'true';
      return false; // upstream treats a null boolean default as false
    }
    case 'NUMBER': {
      if (typeof fv.valueNumber === 'number') return fv.valueNumber;
      if (typeof fv.value === 'number') return fv.value;
      if (typeof fv.value === 'string' && fv.value.trim() !== '' && Number.isFinite(Number(fv.value))) {
        return Number(fv.value);
      }
      return null;
    }
    case 'JSON': {
      if (typeof fv.valueJson === 'string') return fv.valueJson;
      if (typeof fv.value === 'string') return fv.value;
      if (fv.value !== undefined && fv.value !== null) return JSON.stringify(fv.value);
      return null;
    }
    default: {
      if (typeof fv.valueString === 'string') return fv.valueString;
      if (typeof fv.value === 'string') return fv.value;
      return null;
    }
  }
}

/** A copy of `fv` with its default value replaced, written to the field the MR reads for that type. */
export function withDefaultValue(
  fv: FeatureValue,
  type: FeatureValueType,
  value: StrategyValue,
): FeatureValue {
  const out: FeatureValue = { ...fv };
  delete out.valueBoolean;
  delete out.valueString;
  delete out.valueNumber;
  delete out.valueJson;
  delete out.value;
  switch (type) {
    case 'BOOLEAN':
      out.valueBoolean = value === true;
      break;
    case 'NUMBER': {
      const n = toWireValue('NUMBER', value);
      out.valueNumber = typeof n === 'number' ? n : null;
      break;
    }
    case 'JSON':
      out.valueJson = typeof value === 'string' && value.trim() !== '' ? value : null;
      break;
    case 'STRING':
      out.valueString = typeof value === 'string' ? value : null;
      break;
  }
  return out;
}

/** Whether a feature value exists and holds a value (a boolean always does). */
export function isSet(fv: FeatureValue | undefined, type: FeatureValueType | undefined): boolean {
  if (fv === undefined) return false;
  if (type === 'BOOLEAN') return true;
  const v = defaultValueOf(fv, type);
  return v !== null && v !== '';
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** The short text shown for a value in a console cell or a strategy summary. */
export function displayValue(type: FeatureValueType | undefined, value: StrategyValue, max = 40): string {
  if (type === 'BOOLEAN') return value === true ? 'On' : 'Off';
  if (value === null || value === undefined || value === '') return 'not set';
  if (type === 'JSON' && typeof value === 'string') {
    try {
      return truncate(JSON.stringify(JSON.parse(value)), max);
    } catch {
      return truncate(value, max);
    }
  }
  return truncate(String(value), max);
}

/** Parses the text of a number field; undefined when it is not a number. Empty means "no value". */
export function parseNumberInput(text: string): number | null | undefined {
  const t = text.trim();
  if (t === '') return null;
  const n = Number(t);
  return Number.isFinite(n) ? n : undefined;
}

/** Checks JSON text; returns the parser's complaint in plain words, or undefined when it parses. */
export function jsonProblem(text: string): string | undefined {
  if (text.trim() === '') return undefined;
  try {
    JSON.parse(text);
    return undefined;
  } catch (e) {
    const detail = e instanceof Error ? e.message.replace(/^JSON\.parse: /, '') : '';
    return `This is not valid JSON${detail ? `: ${detail}` : '.'}`;
  }
}

/** Pretty-prints JSON text, leaving it alone when it does not parse. */
export function formatJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

export const VALUE_TYPE_LABELS: Record<FeatureValueType, string> = {
  BOOLEAN: 'Standard flag (on/off)',
  STRING: 'String',
  NUMBER: 'Number',
  JSON: 'Remote configuration (JSON)',
};

export const VALUE_TYPE_SHORT: Record<FeatureValueType, string> = {
  BOOLEAN: 'Flag',
  STRING: 'String',
  NUMBER: 'Number',
  JSON: 'JSON',
};

/** Feature keys are used by SDKs as identifiers: no whitespace. */
export function featureKeyProblem(key: string): string | undefined {
  if (key.trim() === '') return 'Enter a key.';
  if (/\s/.test(key)) return 'A key cannot contain spaces.';
  if (key.length > 255) return 'The key is too long.';
  return undefined;
}

/** Suggests a key from a feature name: "New checkout page" → "NEW_CHECKOUT_PAGE". */
export function suggestKey(name: string): string {
  return name
    .trim()
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toUpperCase();
}

/**
 * Editors keep a number as the text being typed ("12."); this turns it into what goes on the wire.
 * Text that is not a number stays text so validation can point at it rather than losing it.
 */
export function toWireValue(type: FeatureValueType | undefined, value: StrategyValue): StrategyValue {
  if (type === 'NUMBER' && typeof value === 'string') {
    const n = parseNumberInput(value);
    return n === undefined ? value : n;
  }
  if (type === 'BOOLEAN') return value === true || value === 'true';
  return value;
}
