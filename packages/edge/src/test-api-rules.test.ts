import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FeatureStateUpdate, RoleType } from '@fh/contracts';
import { cacheFeature } from '@fh/dacha/testing';
import { decideTestUpdate } from './test-api-rules.ts';

const ALL: RoleType[] = ['READ', 'LOCK', 'UNLOCK', 'CHANGE_VALUE'];
const text = cacheFeature({ id: 'f', key: 'TEXT', type: 'STRING', value: 'a' });
const lockedFlag = cacheFeature({ id: 'b', key: 'FLAG', type: 'BOOLEAN', value: false, locked: true });
const flag = cacheFeature({ id: 'b', key: 'FLAG', type: 'BOOLEAN', value: false });
const num = cacheFeature({ id: 'n', key: 'NUM', type: 'NUMBER', value: 1 });
const json = cacheFeature({ id: 'j', key: 'JSON', type: 'JSON', value: '{}' });

function status(feature: typeof text, roles: RoleType[], update: FeatureStateUpdate): number | string {
  const d = decideTestUpdate(feature, roles, update);
  return d.outcome === 'reject' ? d.status : d.outcome === 'unchanged' ? 202 : 200;
}

describe('test-API decisions (docs/edge-protocol.md §2.3 order)', () => {
  it('refuses keys without a write role before looking at the body', () => {
    assert.equal(status(text, ['READ'], {}), 403);
    assert.equal(status(text, ['READ', 'EXTENDED_DATA'], { value: 'b' }), 403);
  });

  it('needs LOCK to lock and UNLOCK to unlock', () => {
    assert.equal(status(text, ['READ', 'CHANGE_VALUE'], { lock: true }), 403);
    assert.equal(status(lockedFlag, ['READ', 'CHANGE_VALUE', 'LOCK'], { lock: false }), 403);
    assert.equal(status(text, ALL, { lock: true }), 200);
  });

  it('has nothing to do without lock or a value (400), and a value implies updateValue', () => {
    assert.equal(status(text, ALL, {}), 400);
    assert.equal(status(text, ALL, { value: null }), 400);
    assert.equal(status(text, ALL, { value: 'b' }), 200);
  });

  it('needs CHANGE_VALUE for values, and refuses a locked value unless the same update unlocks (412)', () => {
    assert.equal(status(text, ['READ', 'LOCK'], { value: 'b', lock: true }), 403);
    assert.equal(status(lockedFlag, ALL, { value: true }), 412);
    assert.equal(status(lockedFlag, ALL, { value: true, lock: true }), 412);
    assert.equal(status(lockedFlag, ALL, { value: true, lock: false }), 200);
  });

  it('checks the value against the feature type', () => {
    assert.equal(status(flag, ALL, { value: 'TRUE' }), 200);
    assert.equal(status(flag, ALL, { value: 'foo' }), 400);
    assert.equal(status(flag, ALL, { value: 1 }), 400);
    assert.equal(status(flag, ALL, { updateValue: true }), 412);
    assert.equal(status(num, ALL, { value: '2.5' }), 200);
    assert.equal(status(num, ALL, { value: 'x' }), 400);
    assert.equal(status(num, ALL, { value: {} }), 400);
    assert.equal(status(num, ALL, { updateValue: true }), 200);
    assert.equal(status(json, ALL, { value: '{"a":[1]}' }), 200);
    assert.equal(status(json, ALL, { value: '{broken' }), 400);
    assert.equal(status(json, ALL, { value: { a: 1 } }), 400);
    assert.equal(status(text, ALL, { value: 12 }), 200);
  });

  it('answers 202 when neither the value nor the lock would change', () => {
    assert.equal(status(text, ALL, { value: 'a' }), 202);
    assert.equal(status(text, ALL, { lock: false }), 202);
    assert.equal(status(flag, ALL, { value: 'false', lock: false }), 202);
    assert.equal(status(num, ALL, { value: '1.0' }), 202);
  });

  it('hands MR the value typed for the wire', () => {
    const d = decideTestUpdate(num, ALL, { value: '2.5', lock: true });
    assert.deepEqual(d, { outcome: 'apply', lock: true, updateValue: true, value: 2.5 });
    const f = decideTestUpdate(flag, ALL, { value: 'TRUE' });
    assert.deepEqual(f, { outcome: 'apply', lock: undefined, updateValue: true, value: true });
    const cleared = decideTestUpdate(text, ALL, { updateValue: true });
    assert.deepEqual(cleared, { outcome: 'apply', lock: undefined, updateValue: true, value: null });
  });
});
