import { BadRequestError } from '@fh/service-kit';
import type { FeatureValueType } from '../feature/feature-store.ts';

// Feature values are stored as text (the default value and application-strategy values) or JSON
// (custom strategies); clients and SDKs see them typed by the feature's value type. These functions convert
// both ways, refusing (400) what does not fit the type.

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

function describe(raw: unknown): string {
  const text = typeof raw === 'string' ? `"${raw}"` : JSON.stringify(raw);
  return text === undefined ? String(raw) : text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/**
 * The stored text form of a value for a feature of `type`; null clears (a BOOLEAN's null is "false").
 * @throws BadRequestError when the value does not fit the type
 */
export function toStoredValue(type: FeatureValueType, raw: unknown, what = 'value'): string | null {
  if (raw === null || raw === undefined) return type === 'BOOLEAN' ? 'false' : null;
  switch (type) {
    case 'BOOLEAN':
      if (typeof raw === 'boolean') return String(raw);
      if (typeof raw === 'string' && /^(true|false)$/i.test(raw.trim())) return raw.trim().toLowerCase();
      break;
    case 'NUMBER':
      if (typeof raw === 'number' && Number.isFinite(raw)) return String(raw);
      if (typeof raw === 'string' && DECIMAL.test(raw.trim())) return raw.trim();
      break;
    case 'STRING':
      if (typeof raw === 'string') return raw;
      if (typeof raw === 'number' || typeof raw === 'boolean') return String(raw);
      break;
    case 'JSON':
      if (typeof raw === 'string') {
        try {
          JSON.parse(raw);
          return raw;
        } catch {
          throw new BadRequestError(`the ${what} ${describe(raw)} is not valid JSON`);
        }
      }
      return JSON.stringify(raw);
  }
  throw new BadRequestError(`the ${what} ${describe(raw)} is not a valid ${type} value`);
}

/** The typed form of a stored value, as the admin API shows it (BOOLEAN never null). */
export function toTypedValue(
  type: FeatureValueType,
  stored: string | null,
): boolean | number | string | null {
  switch (type) {
    case 'BOOLEAN':
      return stored === 'true';
    case 'NUMBER': {
      if (stored === null) return null;
      const n = Number(stored);
      return Number.isFinite(n) ? n : null;
    }
    default:
      return stored;
  }
}

/** A strategy value as kept inside stored strategy JSON: typed like the wire (JSON as text). */
export function toStrategyValue(type: FeatureValueType, raw: unknown, what = 'strategy value'): unknown {
  if (raw === null || raw === undefined) return null;
  return toTypedValue(type, toStoredValue(type, raw, what));
}
