// Formatting of dates and small lists for display; `now` is passed in so tests are deterministic.
import type { Environment } from '../api/types.ts';

/** "3 minutes ago", "2 days ago", or the date when it is older than a month. */
export function relativeTime(iso: string | undefined, now: Date = new Date()): string {
  if (iso === undefined || iso === '') return 'never';
  const when = new Date(iso);
  const ms = now.getTime() - when.getTime();
  if (Number.isNaN(ms)) return 'unknown';
  const s = Math.round(ms / 1000);
  if (s < 45) return 'just now';
  const m = Math.round(s / 60);
  if (m < 60) return `${m} minute${m === 1 ? '' : 's'} ago`;
  const h = Math.round(m / 60);
  if (h < 24) return `${h} hour${h === 1 ? '' : 's'} ago`;
  const d = Math.round(h / 24);
  if (d < 31) return `${d} day${d === 1 ? '' : 's'} ago`;
  return when.toISOString().slice(0, 10);
}

/** A full, unambiguous timestamp for tooltips and history: "2025-01-31 09:05 UTC". */
export function dateTime(iso: string | undefined): string {
  if (iso === undefined || iso === '') return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/**
 * Orders environments along their promotion chain (each names the one before it). Environments whose
 * prior is missing or forms a cycle are appended in their original order rather than dropped.
 */
export function promotionOrder<T extends Pick<Environment, 'id' | 'priorEnvironmentId'>>(
  envs: readonly T[],
): T[] {
  const byPrior = new Map<string, T[]>();
  const ids = new Set(envs.map((e) => e.id));
  const roots: T[] = [];
  for (const e of envs) {
    const prior = e.priorEnvironmentId;
    if (prior === undefined || prior === null || !ids.has(prior) || prior === e.id) roots.push(e);
    else byPrior.set(prior, [...(byPrior.get(prior) ?? []), e]);
  }
  const out: T[] = [];
  const seen = new Set<T>();
  const visit = (e: T) => {
    if (seen.has(e)) return;
    seen.add(e);
    out.push(e);
    for (const next of byPrior.get(e.id ?? '') ?? []) visit(next);
  };
  for (const r of roots) visit(r);
  for (const e of envs) visit(e);
  return out;
}

/** The priorEnvironmentId links that put environments in the given order. */
export function orderingLinks<T extends Pick<Environment, 'id'>>(
  ordered: readonly T[],
): Array<T & { priorEnvironmentId?: string }> {
  return ordered.map((e, i) => {
    const copy: T & { priorEnvironmentId?: string } = { ...e };
    const prior = i > 0 ? ordered[i - 1]?.id : undefined;
    if (prior === undefined) delete copy.priorEnvironmentId;
    else copy.priorEnvironmentId = prior;
    return copy;
  });
}

export function plural(n: number, word: string, pluralWord = `${word}s`): string {
  return `${n} ${n === 1 ? word : pluralWord}`;
}
