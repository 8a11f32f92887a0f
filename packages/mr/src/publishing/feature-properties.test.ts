import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Feature } from '../feature/feature-store.ts';
import { FeatureProperties, type FeaturePropertySubject } from './feature-properties.ts';

const UPSTREAM_E2E =
  'appName={{{feature.parentApplication.name}}},portfolio={{{feature.parentApplication.portfolio.name}}},category={{{metadata.category}}}';

function subject(metaData: string | null, name = 'Shop'): FeaturePropertySubject {
  const feature: Feature = {
    id: 'f1',
    applicationId: 'a1',
    key: 'SHOES',
    name: 'Shoes',
    valueType: 'BOOLEAN',
    description: null,
    link: null,
    metaData,
    alias: null,
    secret: false,
    version: 3,
    whenCreated: new Date(0),
    whenUpdated: new Date(0),
    whenArchived: null,
  };
  return {
    feature,
    application: { id: 'a1', name, description: null },
    portfolio: { id: 'p1', name: 'Retail', description: 'all shops' },
  };
}

function logger() {
  const lines: string[] = [];
  return {
    lines,
    warn: (_o: unknown, msg?: string) => lines.push(`warn ${msg}`),
    error: (_o: unknown, msg?: string) => lines.push(`error ${msg}`),
  } as never as { lines: string[]; warn: () => void; error: () => void };
}

describe('feature properties (sdk.feature.properties)', () => {
  it("renders upstream's e2e setting over the feature, its application and portfolio, and its metadata", () => {
    const props = FeatureProperties.parse(UPSTREAM_E2E);
    assert.deepEqual(props.names, ['appName', 'portfolio', 'category']);
    assert.deepEqual(props.render(subject('{"category":"shoes"}')), {
      appName: 'Shop',
      portfolio: 'Retail',
      category: 'shoes',
    });
  });

  it('leaves out properties that render empty, and has none when nothing renders', () => {
    const props = FeatureProperties.parse(UPSTREAM_E2E);
    assert.deepEqual(props.render(subject('{"kebabFlavour":"lamb"}')), {
      appName: 'Shop',
      portfolio: 'Retail',
    });
    assert.deepEqual(props.render(subject('not json')), { appName: 'Shop', portfolio: 'Retail' });
    assert.equal(FeatureProperties.parse('cat={{{metadata.category}}}').render(subject(null)), undefined);
    assert.equal(FeatureProperties.parse(undefined).enabled, false);
    assert.equal(FeatureProperties.parse('').render(subject(null)), undefined);
  });

  it('escapes double-stash values as upstream Handlebars does, and keeps triple-stash ones as they are', () => {
    const props = FeatureProperties.parse('a={{metadata.x}},b={{{metadata.x}}}');
    assert.deepEqual(props.render(subject('{"x":"<b>&</b>"}')), {
      a: '&lt;b&gt;&amp;&lt;&#x2F;b&gt;',
      b: '<b>&</b>',
    });
  });

  it('reads only the data: metadata is never a template, and inherited members are out of reach', () => {
    const props = FeatureProperties.parse(
      'x={{{metadata.t}}},c={{{metadata.constructor}}},p={{{feature.__proto__}}},f={{{metadata.list.map}}},k={{{feature.key.constructor}}}',
    );
    const out = props.render(subject('{"t":"{{{feature.key}}} {{#a}}x{{/a}}","list":[1,2]}'));
    assert.deepEqual(out, { x: '{{{feature.key}}} {{#a}}x{{/a}}' });
  });

  it('a template that does not parse is logged and left out; the others still render; bad entries are ignored', () => {
    const log = logger();
    const props = FeatureProperties.parse(
      'bad={{#open}},good={{{feature.key}}},nonsense,a=b=c',
      log as never,
    );
    assert.deepEqual(props.names, ['good']);
    assert.deepEqual(props.render(subject(null)), { good: 'SHOES' });
    assert.ok(log.lines.some((l) => l.includes('does not parse')));
  });

  it('sections iterate metadata lists', () => {
    const props = FeatureProperties.parse('tags={{#metadata.tags}}[{{.}}]{{/metadata.tags}}');
    assert.deepEqual(props.render(subject('{"tags":["a","b"]}')), { tags: '[a][b]' });
  });
});
