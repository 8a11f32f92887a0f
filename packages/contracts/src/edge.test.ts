import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Value } from 'typebox/value';
import {
  FeatureEnvironmentCollectionSchema,
  FeatureRolloutStrategySchema,
  FeatureStateSchema,
  FeatureStateUpdateSchema,
  SSEResultState,
  SSEResultStateSchema,
  StrategyAttributeCountryName,
  StrategyAttributeCountryNameSchema,
} from './index.ts';

// The client-eval item that SDK 1.4.0 accepted on the wire (docs/edge-protocol.md §3).
const clientEvalFeature = {
  id: 'feature-1',
  key: 'COLOUR',
  l: true,
  version: 3,
  type: 'STRING',
  value: 'red',
  strategies: [
    { id: 's1', percentage: 200000, value: 'blue', attributes: [] },
    {
      id: 's2',
      value: 'nz',
      attributes: [{ fieldName: 'country', conditional: 'EQUALS', type: 'STRING', values: ['new_zealand'] }],
    },
  ],
};

describe('FeatureState schema', () => {
  it('accepts the client-eval item that SDK 1.4.0 accepted', () => {
    assert.ok(Value.Check(FeatureStateSchema, clientEvalFeature));
  });

  it('accepts a server-eval item with the matched strategy id and feature properties', () => {
    const state = {
      id: 'f',
      key: 'FLAG',
      l: false,
      version: 7,
      type: 'BOOLEAN',
      value: true,
      v: 's1',
      fp: { a: 'b' },
    };
    assert.ok(Value.Check(FeatureStateSchema, state));
  });

  it('accepts a feature without a value in the environment (version 0, no value)', () => {
    assert.ok(
      Value.Check(FeatureStateSchema, {
        id: 'f',
        key: 'K',
        l: false,
        version: 0,
        type: 'JSON',
        strategies: [],
      }),
    );
  });

  it('rejects a feature without type, because SDK getters return undefined without it', () => {
    const { type: _type, ...noType } = clientEvalFeature;
    assert.equal(Value.Check(FeatureStateSchema, noType), false);
  });

  it('rejects a feature without key, lock flag or version', () => {
    for (const field of ['key', 'l', 'version'] as const) {
      const copy: Record<string, unknown> = { ...clientEvalFeature };
      delete copy[field];
      assert.equal(Value.Check(FeatureStateSchema, copy), false, field);
    }
  });

  it('rejects an object value: JSON features travel as strings', () => {
    assert.equal(
      Value.Check(FeatureStateSchema, { ...clientEvalFeature, type: 'JSON', value: { a: 1 } }),
      false,
    );
    assert.ok(Value.Check(FeatureStateSchema, { ...clientEvalFeature, type: 'JSON', value: '{"a":1}' }));
  });

  it('rejects an unknown feature type and a fractional version', () => {
    assert.equal(Value.Check(FeatureStateSchema, { ...clientEvalFeature, type: 'ENCRYPTED' }), false);
    assert.equal(Value.Check(FeatureStateSchema, { ...clientEvalFeature, version: 1.5 }), false);
  });
});

describe('FeatureRolloutStrategy schema', () => {
  it('accepts percentage attributes and null percentage', () => {
    assert.ok(
      Value.Check(FeatureRolloutStrategySchema, {
        id: 'rs-id',
        percentage: null,
        percentageAttributes: ['company', 'store'],
        attributes: [],
        value: 'pa',
      }),
    );
  });

  it('rejects a percentage outside 0..1,000,000 or not an integer', () => {
    for (const percentage of [-1, 1_000_001, 20.5, '200000']) {
      assert.equal(
        Value.Check(FeatureRolloutStrategySchema, { id: 's', percentage }),
        false,
        String(percentage),
      );
    }
  });

  it('rejects a strategy without id and an attribute with an unknown conditional or field type', () => {
    assert.equal(Value.Check(FeatureRolloutStrategySchema, { percentage: 1 }), false);
    const attr = { fieldName: 'x', conditional: 'EQUALS', type: 'STRING', values: ['a'] };
    assert.ok(Value.Check(FeatureRolloutStrategySchema, { id: 's', attributes: [attr] }));
    assert.equal(
      Value.Check(FeatureRolloutStrategySchema, { id: 's', attributes: [{ ...attr, conditional: 'LIKE' }] }),
      false,
    );
    assert.equal(
      Value.Check(FeatureRolloutStrategySchema, { id: 's', attributes: [{ ...attr, type: 'ENCRYPTED' }] }),
      false,
    );
    assert.equal(
      Value.Check(FeatureRolloutStrategySchema, { id: 's', attributes: [{ ...attr, values: 'a' }] }),
      false,
    );
  });
});

describe('FeatureEnvironmentCollection schema', () => {
  it('accepts an environment with features', () => {
    assert.ok(Value.Check(FeatureEnvironmentCollectionSchema, { id: 'env', features: [clientEvalFeature] }));
    assert.ok(Value.Check(FeatureEnvironmentCollectionSchema, { id: 'env', features: [] }));
  });

  it('rejects an environment without features, which crashes SDK 1.4.0', () => {
    assert.equal(Value.Check(FeatureEnvironmentCollectionSchema, { id: 'env' }), false);
  });
});

describe('FeatureStateUpdate schema', () => {
  it('accepts the bodies the SDK and upstream e2e tests send', () => {
    for (const body of [
      { lock: false, value: true },
      { lock: true },
      { value: 'foo' },
      { lock: false, updateValue: true },
      { value: null, updateValue: true, lock: null },
      {},
    ]) {
      assert.ok(Value.Check(FeatureStateUpdateSchema, body), JSON.stringify(body));
    }
  });

  it('rejects non-boolean lock and updateValue', () => {
    assert.equal(Value.Check(FeatureStateUpdateSchema, { lock: 'yes' }), false);
    assert.equal(Value.Check(FeatureStateUpdateSchema, { updateValue: 1 }), false);
  });
});

describe('SSE event names and attribute enums', () => {
  it('uses the exact lower-case names, delete_feature with an underscore', () => {
    assert.equal(SSEResultState.delete_feature, 'delete_feature');
    assert.ok(Value.Check(SSEResultStateSchema, 'features'));
    assert.equal(Value.Check(SSEResultStateSchema, 'services'), false);
    assert.equal(Value.Check(SSEResultStateSchema, 'FEATURES'), false);
  });

  it('lists the 196 snake_case country names', () => {
    assert.equal(Object.keys(StrategyAttributeCountryName).length, 196);
    assert.ok(Value.Check(StrategyAttributeCountryNameSchema, 'congo_democratic_republic_of_the'));
    assert.equal(Value.Check(StrategyAttributeCountryNameSchema, 'New Zealand'), false);
  });
});
