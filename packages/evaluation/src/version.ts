// Version ordering for SEMANTIC_VERSION rules, modelled on what the Java Edge uses (Maven's
// ComparableVersion) rather than strict semver: `2.0` equals `2.0.0`, `7.1.6` > `7.0`, and a
// pre-release such as `1.0.0-beta` sorts before `1.0.0`.

type Item =
  | { readonly kind: 'number'; readonly digits: string }
  | { readonly kind: 'qualifier'; readonly name: string };

const RELEASE_RANK = 5;
const QUALIFIER_RANKS: Readonly<Record<string, number>> = {
  alpha: 0,
  a: 0,
  beta: 1,
  b: 1,
  milestone: 2,
  m: 2,
  rc: 3,
  cr: 3,
  snapshot: 4,
  '': RELEASE_RANK,
  ga: RELEASE_RANK,
  final: RELEASE_RANK,
  release: RELEASE_RANK,
  sp: 6,
};
const UNKNOWN_QUALIFIER_RANK = 7;

function rank(name: string): number {
  return Object.hasOwn(QUALIFIER_RANKS, name) ? QUALIFIER_RANKS[name]! : UNKNOWN_QUALIFIER_RANK;
}

function isNullItem(item: Item): boolean {
  return item.kind === 'number' ? item.digits === '' : rank(item.name) === RELEASE_RANK;
}

/** Splits a version into numbers and qualifiers; `undefined` for a blank version. */
export function parseVersion(text: string): readonly Item[] | undefined {
  const s = text.trim().toLowerCase();
  if (s === '' || /\s/.test(s)) return undefined;
  const items: Item[] = [];
  for (const part of s.split(/[.-]/)) {
    // "1rc2" holds three items: a digit/letter boundary separates them like a dot does.
    const tokens = part === '' ? ['0'] : (part.match(/\d+|[^\d]+/g) ?? []);
    for (const token of tokens) {
      items.push(
        /^\d/.test(token)
          ? { kind: 'number', digits: token.replace(/^0+/, '') }
          : { kind: 'qualifier', name: token },
      );
    }
  }
  while (items.length > 0 && isNullItem(items[items.length - 1]!)) items.pop();
  return items;
}

function compareDigits(a: string, b: string): number {
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  return a === b ? 0 : a < b ? -1 : 1;
}

function compareItem(a: Item | undefined, b: Item | undefined): number {
  if (a === undefined && b === undefined) return 0;
  if (a === undefined) return -compareItem(b, undefined);
  if (b === undefined) {
    return a.kind === 'number' ? (a.digits === '' ? 0 : 1) : Math.sign(rank(a.name) - RELEASE_RANK);
  }
  if (a.kind === 'number' && b.kind === 'number') return compareDigits(a.digits, b.digits);
  if (a.kind === 'number') return 1; // 1.0.1 is newer than 1.0-beta
  if (b.kind === 'number') return -1;
  const byRank = rank(a.name) - rank(b.name);
  if (byRank !== 0) return Math.sign(byRank);
  return a.name === b.name ? 0 : a.name < b.name ? -1 : 1;
}

/** Orders two parsed versions: negative, zero or positive. */
export function compareVersions(a: readonly Item[], b: readonly Item[]): number {
  const length = Math.max(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const c = compareItem(a[i], b[i]);
    if (c !== 0) return c;
  }
  return 0;
}
