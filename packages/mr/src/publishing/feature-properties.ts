import { readFileSync } from 'node:fs';
import type { Logger } from '@fh/service-kit';
import Mustache from 'mustache';
import type { Feature } from '../feature/feature-store.ts';

// Extended data (upstream `sdk.feature.properties`; docs/feature-filters-and-extended-data.md): the operator
// names properties and gives each a template over the feature, its application and portfolio and its
// metadata JSON, e.g. `appName={{{feature.parentApplication.name}}},category={{{metadata.category}}}`.
// MR renders them when it builds a feature's cache entry (`fp`); Edge sends `fp` only to keys whose service
// account holds EXTENDED_DATA in the environment.
//
// Templates are Mustache (logic-less: no code runs, data is never read as a template). The metadata is
// written by admin-API users, so it is untrusted: it is rendered from prototype-less copies (so no
// `constructor` or other inherited member can be reached) and a template that fails leaves only its own
// property out. Rendering happens at publish time in MR, never during an SDK's poll.

/** What one feature's properties are rendered from. */
export interface FeaturePropertySubject {
  feature: Feature;
  application: { id: string; name: string; description: string | null };
  portfolio: { id: string; name: string; description: string | null };
}

type Log = Pick<Logger, 'warn' | 'error'>;

interface NamedTemplate {
  name: string;
  template: string;
}

/** The operator's property templates, parsed once; renders the `fp` map of a feature. */
export class FeatureProperties {
  readonly #templates: readonly NamedTemplate[];
  readonly #logger: Log | undefined;

  private constructor(templates: readonly NamedTemplate[], logger?: Log) {
    this.#templates = templates;
    this.#logger = logger;
  }

  /** None configured: features carry no `fp`. */
  static readonly none = new FeatureProperties([]);

  /**
   * Parses the setting `name=template,name2=template2` as upstream does (split on `,`, then on `=`; an entry
   * that is not exactly `name=template` is ignored). `name=#path` reads the template from a file. A template
   * that does not parse is logged and left out, so a bad setting never stops MR.
   */
  static parse(setting: string | undefined, logger?: Log): FeatureProperties {
    if (setting === undefined || setting.trim() === '') return FeatureProperties.none;
    const templates: NamedTemplate[] = [];
    for (const entry of setting.trim().split(',')) {
      const parts = entry.trim().split('=');
      if (parts.length !== 2 || parts[0]!.trim() === '') {
        if (entry.trim() !== '')
          logger?.warn({ entry }, 'sdk.feature.properties: ignoring an entry that is not name=template');
        continue;
      }
      const name = parts[0]!.trim();
      let template = parts[1]!;
      if (template.startsWith('#')) {
        try {
          template = readFileSync(template.slice(1), 'utf8');
        } catch (err) {
          logger?.error({ err, name }, 'sdk.feature.properties: cannot read the template file');
          continue;
        }
      }
      try {
        Mustache.parse(template);
      } catch (err) {
        logger?.error(
          { err, name },
          'sdk.feature.properties: the template does not parse; property left out',
        );
        continue;
      }
      templates.push({ name, template });
    }
    return new FeatureProperties(templates, logger);
  }

  get enabled(): boolean {
    return this.#templates.length > 0;
  }

  /** The property names, in setting order. */
  get names(): string[] {
    return this.#templates.map((t) => t.name);
  }

  /**
   * The rendered properties of one feature; empty results are left out (as upstream), and so is a property
   * whose template fails. Undefined when no property has a value.
   */
  render(subject: FeaturePropertySubject): Record<string, string> | undefined {
    if (!this.enabled) return undefined;
    const view = templateView(subject);
    const out: Record<string, string> = {};
    for (const { name, template } of this.#templates) {
      try {
        const value = Mustache.render(template, view, {}).trim();
        if (value !== '') out[name] = value;
      } catch (err) {
        this.#logger?.warn({ err, name, featureId: subject.feature.id }, 'feature property not rendered');
      }
    }
    return Object.keys(out).length > 0 ? out : undefined;
  }
}

/** The template's view: upstream's names (`feature.parentApplication.portfolio.name`, `metadata.x`). */
function templateView(subject: FeaturePropertySubject): unknown {
  const { feature, application, portfolio } = subject;
  const portfolioView = { id: portfolio.id, name: portfolio.name, description: portfolio.description };
  const applicationView = {
    id: application.id,
    name: application.name,
    description: application.description,
    portfolio: portfolioView,
  };
  return bare({
    feature: {
      id: feature.id,
      key: feature.key,
      name: feature.name,
      alias: feature.alias,
      description: feature.description,
      link: feature.link,
      valueType: feature.valueType,
      secret: feature.secret,
      version: feature.version,
      parentApplication: applicationView,
    },
    application: applicationView,
    portfolio: portfolioView,
    metadata: parseMetadata(feature.metaData),
  });
}

/** The feature's metadata when it is a JSON object or array; anything else is no metadata. */
function parseMetadata(text: string | null): unknown {
  if (text === null || text.trim() === '') return null;
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' ? parsed : null;
  } catch {
    return null;
  }
}

/** A deep copy made of prototype-less objects, so a template can reach only the data's own members. */
function bare(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(bare);
  if (value === null || typeof value !== 'object') return value;
  const out = Object.create(null) as Record<string, unknown>;
  for (const [k, v] of Object.entries(value)) out[k] = bare(v);
  return out;
}
