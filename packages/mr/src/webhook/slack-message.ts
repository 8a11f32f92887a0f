import Mustache from 'mustache';
import type { Stores } from '../db/stores.ts';
import type { OutboxEvent, PinnedValue } from './webhook-store.ts';

/** Slack's limit for a message's text is 40,000 characters; a template cannot make us send more. */
const MAX_TEXT = 40_000;

type SlackStores = Pick<Stores, 'environments' | 'applications' | 'portfolios' | 'features' | 'persons'>;

/**
 * What a `slack.messageFormat.featureChange` template sees for each changed feature: upstream's names from its
 * feature-update message (FeatureMessagingUpdate), so a template written for upstream renders here too.
 */
export interface SlackFeatureChange {
  featureKey: string;
  featureName: string;
  featureId: string;
  featureValueType: string;
  environmentName: string;
  environmentId: string;
  appName: string;
  applicationId: string;
  portfolioName: string;
  portfolioId: string;
  whoUpdated: string;
  whoUpdatedId: string;
  whenUpdated: string;
  /** values shown as JSON text ("no value" when there was none) */
  featureValueUpdated: { updated: string; previous: string };
  lockUpdated?: { updated: boolean; previous: boolean };
  retiredUpdated?: { updated: boolean; previous: boolean };
}

const shown = (v: PinnedValue | null | undefined): string =>
  v ? JSON.stringify(v.value ?? null) : 'no value';

/** Slack's own escaping (only &, < and >): a value cannot open a link or a `<!channel>` mention. */
export function slackEscape(text: unknown): string {
  return String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A copy without prototypes: a template cannot reach `constructor`, `__proto__` and the like. */
function bare(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(bare);
  if (value === null || typeof value !== 'object') return value;
  const out = Object.create(null) as Record<string, unknown>;
  for (const [k, v] of Object.entries(value)) out[k] = bare(v);
  return out;
}

/** One view per changed feature of the event. */
export async function slackFeatureChanges(
  stores: SlackStores,
  event: OutboxEvent,
): Promise<SlackFeatureChange[]> {
  const env = await stores.environments.findById(event.environmentId, { includeArchived: true });
  const app = env && (await stores.applications.findById(env.applicationId, { includeArchived: true }));
  const portfolio = app && (await stores.portfolios.findById(app.portfolioId, { includeArchived: true }));
  const who = event.whoChanged
    ? await stores.persons.findById(event.whoChanged, { includeArchived: true })
    : undefined;
  const out: SlackFeatureChange[] = [];
  for (const key of event.featureKeys) {
    const feature = app ? await stores.features.findByKey(app.id, key) : undefined;
    const before = event.previous[key];
    const after = event.current[key];
    const change: SlackFeatureChange = {
      featureKey: key,
      featureName: feature?.name ?? key,
      featureId: feature?.id ?? '',
      featureValueType: feature?.valueType ?? '',
      environmentName: env?.name ?? event.environmentId,
      environmentId: event.environmentId,
      appName: app?.name ?? '?',
      applicationId: app?.id ?? '',
      portfolioName: portfolio?.name ?? '?',
      portfolioId: portfolio?.id ?? '',
      whoUpdated: who ? who.name || who.email : 'someone',
      whoUpdatedId: event.whoChanged ?? '',
      whenUpdated: event.whenCreated.toISOString(),
      featureValueUpdated: { updated: shown(after), previous: shown(before) },
    };
    if ((before?.locked ?? false) !== (after?.locked ?? false)) {
      change.lockUpdated = { updated: after?.locked ?? false, previous: before?.locked ?? false };
    }
    if ((before?.retired ?? false) !== (after?.retired ?? false)) {
      change.retiredUpdated = { updated: after?.retired ?? false, previous: before?.retired ?? false };
    }
    out.push(change);
  }
  return out;
}

/** Our text when no template is configured (or the configured one cannot be rendered). */
export function defaultSlackText(changes: readonly SlackFeatureChange[]): string {
  return changes
    .map(
      (c) =>
        `Feature ${c.featureKey} in environment ${c.environmentName} of application ${c.appName} ` +
        `changed by ${c.whoUpdated}: from ${c.featureValueUpdated.previous} to ${c.featureValueUpdated.updated}`,
    )
    .join('\n');
}

/**
 * The Slack text of an event: `template` (system config `slack.messageFormat.featureChange`, a Mustache
 * template: logic-less, no partials, values escaped for Slack) rendered once per changed feature, or our
 * default text when there is none. A template that does not parse gives the default text and `templateError`:
 * a bad setting never loses a delivery.
 */
export function slackText(
  changes: readonly SlackFeatureChange[],
  template: string | null | undefined,
): { text: string; templateError?: string } {
  if (!template || template.trim() === '') return { text: defaultSlackText(changes) };
  try {
    const text = changes
      .map((c) => Mustache.render(template, bare(c), {}, { escape: slackEscape }))
      .join('\n')
      .slice(0, MAX_TEXT);
    if (text.trim() === '')
      return { text: defaultSlackText(changes), templateError: 'the template rendered nothing' };
    return { text };
  } catch (err) {
    return {
      text: defaultSlackText(changes),
      templateError: err instanceof Error ? err.message : String(err),
    };
  }
}
