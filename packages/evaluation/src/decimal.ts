// Exact decimal comparison (what Java's BigDecimal gives the Edge), without floating-point
// rounding: "0.1" + "0.2" style surprises must not change whether a rule matches.

/** A parsed decimal: sign × digits × 10^exponent, digits without leading or trailing zeros. */
export interface Decimal {
  readonly sign: -1 | 0 | 1;
  readonly digits: string;
  readonly exponent: number;
}

const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/**
 * Parses a decimal in BigDecimal string syntax (`5`, `-5.50`, `.5`, `5.`, `1e3`, `+2E-4`), or a
 * finite JSON number. Anything else (blank, `NaN`, `0x10`, spaces) gives `undefined`.
 */
export function parseDecimal(input: unknown): Decimal | undefined {
  let text: string;
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) return undefined;
    text = String(input);
  } else if (typeof input === 'string') {
    text = input;
  } else {
    return undefined;
  }
  const m = DECIMAL.exec(text);
  if (m === null) return undefined;
  const intPart = m[2] ?? '';
  const fracPart = m[3] ?? '';
  if (intPart === '' && fracPart === '') return undefined;
  const exp = m[4] === undefined ? 0 : Number(m[4]);
  if (!Number.isSafeInteger(exp)) return undefined;
  let digits = (intPart + fracPart).replace(/^0+/, '');
  let exponent = exp - fracPart.length;
  if (digits === '') return { sign: 0, digits: '', exponent: 0 };
  const trailing = digits.length - digits.replace(/0+$/, '').length;
  digits = digits.slice(0, digits.length - trailing);
  exponent += trailing;
  return { sign: m[1] === '-' ? -1 : 1, digits, exponent };
}

function compareMagnitude(a: Decimal, b: Decimal): number {
  // Position of the most significant digit decides first, then the digits themselves.
  const aTop = a.digits.length + a.exponent;
  const bTop = b.digits.length + b.exponent;
  if (aTop !== bTop) return aTop < bTop ? -1 : 1;
  const width = Math.max(a.digits.length, b.digits.length);
  const ad = a.digits.padEnd(width, '0');
  const bd = b.digits.padEnd(width, '0');
  return ad === bd ? 0 : ad < bd ? -1 : 1;
}

/** Numeric comparison by value (`5` equals `5.0`): negative, zero or positive. */
export function compareDecimals(a: Decimal, b: Decimal): number {
  if (a.sign !== b.sign) return a.sign < b.sign ? -1 : 1;
  if (a.sign === 0) return 0;
  return a.sign * compareMagnitude(a, b);
}
