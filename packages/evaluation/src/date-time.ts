// ISO dates and offset date-times for DATE / DATETIME rules, compared the way the Java Edge does
// (LocalDate, and OffsetDateTime by instant), with exact sub-second precision.

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:([Zz])|([+-])(\d{2}):(\d{2})(?::(\d{2}))?)$/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
}

/** Epoch milliseconds of a UTC date-time; unlike `Date.UTC`, years 0–99 are not moved to 19xx. */
function utcMillis(y: number, mo: number, d: number, h: number, mi: number, s: number): number {
  const t = new Date(0);
  t.setUTCFullYear(y, mo - 1, d);
  t.setUTCHours(h, mi, s, 0);
  return t.getTime();
}

function validDate(y: number, m: number, d: number): boolean {
  return m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m);
}

/** A calendar date `YYYY-MM-DD` (checked: no 2019-02-30), normalised; else `undefined`. */
export function parseIsoDate(text: string): string | undefined {
  const m = DATE.exec(text);
  if (m === null) return undefined;
  return validDate(Number(m[1]), Number(m[2]), Number(m[3])) ? text : undefined;
}

/** An instant: whole seconds since the epoch plus nanoseconds. */
export interface Instant {
  readonly seconds: number;
  readonly nanos: number;
}

/**
 * An ISO-8601 date-time with an offset (`2019-02-01T01:01:01Z`, `…:01.5+05:30`, seconds optional),
 * as an instant; `undefined` without an offset or when out of range.
 */
export function parseOffsetDateTime(text: string): Instant | undefined {
  const m = DATE_TIME.exec(text);
  if (m === null) return undefined;
  const [y, mo, d, h, mi] = [m[1], m[2], m[3], m[4], m[5]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const s = m[6] === undefined ? 0 : Number(m[6]);
  if (!validDate(y, mo, d) || h > 23 || mi > 59 || s > 59) return undefined;
  let offsetSeconds = 0;
  if (m[8] === undefined) {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    const os = m[12] === undefined ? 0 : Number(m[12]);
    if (oh > 18 || om > 59 || os > 59) return undefined;
    offsetSeconds = (m[9] === '-' ? -1 : 1) * (oh * 3600 + om * 60 + os);
  }
  const seconds = utcMillis(y, mo, d, h, mi, s) / 1000 - offsetSeconds;
  const nanos = m[7] === undefined ? 0 : Number(m[7].padEnd(9, '0'));
  return { seconds, nanos };
}

/** Orders two instants: negative, zero or positive. */
export function compareInstants(a: Instant, b: Instant): number {
  return a.seconds !== b.seconds ? Math.sign(a.seconds - b.seconds) : Math.sign(a.nanos - b.nanos);
}
