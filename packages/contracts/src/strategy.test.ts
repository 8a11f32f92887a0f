import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Value } from 'typebox/value';
import {
  FeatureValueType,
  isWireValueOfType,
  RoleType,
  RoleTypeSchema,
  RolloutStrategyAttributeConditional,
  RolloutStrategyAttributeSchema,
  RolloutStrategyFieldType,
  RolloutStrategySchema,
} from './index.ts';

describe('strategy enums', () => {
  it('expose every upstream member by name with the wire string as value', () => {
    assert.deepEqual(Object.values(RolloutStrategyAttributeConditional), [
      'EQUALS',
      'ENDS_WITH',
      'STARTS_WITH',
      'GREATER',
      'GREATER_EQUALS',
      'LESS',
      'LESS_EQUALS',
      'NOT_EQUALS',
      'INCLUDES',
      'EXCLUDES',
      'REGEX',
    ]);
    assert.deepEqual(Object.values(RolloutStrategyFieldType), [
      'STRING',
      'SEMANTIC_VERSION',
      'NUMBER',
      'DATE',
      'DATETIME',
      'BOOLEAN',
      'IP_ADDRESS',
    ]);
    assert.deepEqual(Object.values(FeatureValueType), ['BOOLEAN', 'STRING', 'NUMBER', 'JSON']);
    assert.deepEqual(Object.values(RoleType), ['READ', 'LOCK', 'UNLOCK', 'CHANGE_VALUE', 'EXTENDED_DATA']);
  });

  it('are frozen', () => {
    assert.ok(Object.isFrozen(RoleType));
  });

  it('validate only known members', () => {
    assert.ok(Value.Check(RoleTypeSchema, 'CHANGE_VALUE'));
    assert.equal(Value.Check(RoleTypeSchema, 'WRITE'), false);
    assert.equal(Value.Check(RoleTypeSchema, 'read'), false);
  });
});

describe('RolloutStrategyAttribute schema', () => {
  it('accepts typed values of every field type', () => {
    for (const attr of [
      { conditional: 'GREATER', fieldName: 'age', type: 'NUMBER', values: [18, 2.5] },
      { conditional: 'EQUALS', fieldName: 'beta', type: 'BOOLEAN', values: [true] },
      { conditional: 'LESS', fieldName: 'now', type: 'DATETIME', values: ['2019-02-01T01:01:01Z'] },
      { conditional: 'EQUALS', fieldName: 'ip', type: 'IP_ADDRESS', values: ['10.0.0.0/8', '::1'] },
      { id: 'a1', conditional: 'EQUALS', fieldName: 'x', type: 'STRING', values: null },
      { conditional: 'EQUALS', fieldName: 'x', type: 'STRING' },
    ]) {
      assert.ok(Value.Check(RolloutStrategyAttributeSchema, attr), JSON.stringify(attr));
    }
  });

  it('rejects attributes missing conditional, fieldName or type', () => {
    const ok = { conditional: 'EQUALS', fieldName: 'x', type: 'STRING', values: ['a'] };
    for (const field of ['conditional', 'fieldName', 'type'] as const) {
      const copy: Record<string, unknown> = { ...ok };
      delete copy[field];
      assert.equal(Value.Check(RolloutStrategyAttributeSchema, copy), false, field);
    }
  });
});

describe('RolloutStrategy (admin API) schema', () => {
  it('accepts a strategy being created without id', () => {
    assert.ok(
      Value.Check(RolloutStrategySchema, {
        name: 'beta testers',
        percentage: 200000,
        colouring: 3,
        disabled: false,
        attributes: [{ conditional: 'INCLUDES', fieldName: 'email', type: 'STRING', values: ['@acme.com'] }],
        value: true,
      }),
    );
  });

  it('rejects an over-long avatar url', () => {
    assert.equal(Value.Check(RolloutStrategySchema, { name: 'x', avatar: 'a'.repeat(201) }), false);
  });
});

describe('isWireValueOfType', () => {
  it('requires JSON booleans, numbers and strings by feature type', () => {
    assert.ok(isWireValueOfType('BOOLEAN', true));
    assert.equal(isWireValueOfType('BOOLEAN', 'true'), false);
    assert.ok(isWireValueOfType('NUMBER', 2.5));
    assert.equal(isWireValueOfType('NUMBER', '2.5'), false);
    assert.equal(isWireValueOfType('NUMBER', Number.NaN), false);
    assert.ok(isWireValueOfType('JSON', '{"a":1}'));
    assert.equal(isWireValueOfType('JSON', { a: 1 }), false);
    assert.ok(isWireValueOfType('STRING', ''));
  });

  it('accepts "not set" for every type', () => {
    for (const t of Object.values(FeatureValueType)) {
      assert.ok(isWireValueOfType(t, null));
      assert.ok(isWireValueOfType(t, undefined));
    }
  });
});
