import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  canonicalJson,
  FeatureValueConflictError,
  FeatureValueLockedError,
  mergeFeatureValue,
  type StoredStrategy,
  type ValueState,
} from './feature-value-merge.ts';

const state = (s: Partial<ValueState> = {}): ValueState => ({
  value: 'a',
  locked: false,
  retired: false,
  rolloutStrategies: [],
  strategyInstances: [],
  ...s,
});

const st = (id: string, value: unknown = id, extra: Record<string, unknown> = {}): StoredStrategy => ({
  id,
  name: id,
  percentage: 1000,
  value,
  ...extra,
});

const ids = (s: ValueState) => s.rolloutStrategies.map((r) => r.id);
const conflict = (fn: () => unknown) => assert.throws(fn, FeatureValueConflictError);

describe('feature value 3-way merge: single aspects', () => {
  it('a value the client changed is applied when nobody else changed it', () => {
    const base = state();
    const { next, changed } = mergeFeatureValue(base, base, { value: 'b', locked: false });
    assert.equal(next.value, 'b');
    assert.deepEqual([...changed], ['value']);
  });

  it('concurrent edits of different aspects merge', () => {
    const base = state();
    const current = state({ retired: true }); // someone retired it meanwhile
    const { next, changed } = mergeFeatureValue(base, current, { value: 'b', locked: false, retired: false });
    assert.deepEqual({ value: next.value, retired: next.retired }, { value: 'b', retired: true });
    assert.deepEqual([...changed], ['value']);
  });

  it('conflicting edits of the same aspect are refused', () => {
    conflict(() => mergeFeatureValue(state(), state({ value: 'x' }), { value: 'b', locked: false }));
  });

  it('asking for what is already there is no change, even if it was changed meanwhile', () => {
    const { changed } = mergeFeatureValue(state(), state({ value: 'b' }), { value: 'b', locked: false });
    assert.equal(changed.size, 0);
  });

  it('a field the client did not send or did not change stays as others left it', () => {
    const current = state({ value: 'x' });
    assert.equal(mergeFeatureValue(state(), current, { locked: false }).next.value, 'x');
    assert.equal(mergeFeatureValue(state(), current, { value: 'a', locked: false }).next.value, 'x');
    assert.equal(mergeFeatureValue(state(), current, { value: 'a', locked: false }).changed.size, 0);
  });

  it('locking and unlocking are reported as such', () => {
    assert.deepEqual([...mergeFeatureValue(state(), state(), { locked: true }).changed], ['lock']);
    const locked = state({ locked: true });
    assert.deepEqual([...mergeFeatureValue(locked, locked, { locked: false }).changed], ['unlock']);
  });
});

describe('feature value 3-way merge: locks', () => {
  const locked = state({ locked: true });

  it('a locked value cannot be changed without unlocking', () => {
    assert.throws(
      () => mergeFeatureValue(locked, locked, { value: 'b', locked: true }),
      FeatureValueLockedError,
    );
    assert.throws(
      () => mergeFeatureValue(locked, locked, { retired: true, locked: true }),
      FeatureValueLockedError,
    );
  });

  it('a value can be unlocked and changed in one update', () => {
    const { next, changed } = mergeFeatureValue(locked, locked, { value: 'b', locked: false });
    assert.deepEqual({ value: next.value, locked: next.locked }, { value: 'b', locked: false });
    assert.deepEqual(new Set(changed), new Set(['unlock', 'value']));
  });

  it('a value can be changed and locked in one update', () => {
    const { next } = mergeFeatureValue(state(), state(), { value: 'b', locked: true });
    assert.deepEqual({ value: next.value, locked: next.locked }, { value: 'b', locked: true });
  });

  it('a value someone locked meanwhile refuses a change from an unlocked version', () => {
    assert.throws(
      () => mergeFeatureValue(state(), locked, { value: 'b', locked: false }),
      FeatureValueLockedError,
    );
  });

  it('an update that changes nothing on a locked value is fine', () => {
    assert.equal(mergeFeatureValue(locked, locked, { value: 'a', locked: true }).changed.size, 0);
  });
});

describe('feature value 3-way merge: custom strategies', () => {
  const base = state({ rolloutStrategies: [st('a'), st('b'), st('c')] });

  it('adds a new strategy where the client put it, keeping one someone else added', () => {
    const current = state({ rolloutStrategies: [st('a'), st('b'), st('c'), st('z')] });
    const { next } = mergeFeatureValue(base, current, {
      rolloutStrategies: [st('a'), st('n'), st('b'), st('c')],
    });
    assert.deepEqual(ids(next), ['a', 'n', 'b', 'c', 'z']);
  });

  it('changes and deletes strategies nobody else touched', () => {
    const { next, changed } = mergeFeatureValue(base, base, {
      rolloutStrategies: [st('a', 'A2'), st('c')],
    });
    assert.deepEqual(ids(next), ['a', 'c']);
    assert.equal(next.rolloutStrategies[0]?.value, 'A2');
    assert.deepEqual([...changed], ['strategies']);
  });

  it('changing a strategy someone else changed or deleted conflicts', () => {
    const changedMeanwhile = state({ rolloutStrategies: [st('a', 'X'), st('b'), st('c')] });
    conflict(() =>
      mergeFeatureValue(base, changedMeanwhile, { rolloutStrategies: [st('a', 'A2'), st('b'), st('c')] }),
    );
    const deletedMeanwhile = state({ rolloutStrategies: [st('b'), st('c')] });
    conflict(() =>
      mergeFeatureValue(base, deletedMeanwhile, { rolloutStrategies: [st('a', 'A2'), st('b'), st('c')] }),
    );
  });

  it('deleting a strategy someone else changed conflicts', () => {
    const current = state({ rolloutStrategies: [st('a', 'X'), st('b'), st('c')] });
    conflict(() => mergeFeatureValue(base, current, { rolloutStrategies: [st('b'), st('c')] }));
  });

  it('a reorder is applied, unless someone else reordered differently', () => {
    const { next } = mergeFeatureValue(base, base, { rolloutStrategies: [st('c'), st('a'), st('b')] });
    assert.deepEqual(ids(next), ['c', 'a', 'b']);
    const reordered = state({ rolloutStrategies: [st('b'), st('a'), st('c')] });
    conflict(() => mergeFeatureValue(base, reordered, { rolloutStrategies: [st('c'), st('a'), st('b')] }));
    // a reorder by someone else survives an unrelated change by this client
    const kept = mergeFeatureValue(base, reordered, { rolloutStrategies: [st('a'), st('b'), st('c', 'C2')] });
    assert.deepEqual(ids(kept.next), ['b', 'a', 'c']);
  });

  it('sending the strategies back unchanged is no change, whatever their key order or null fields', () => {
    const same = base.rolloutStrategies.map((s) => ({
      colouring: null,
      ...Object.fromEntries(Object.entries(s).reverse()),
    }));
    assert.equal(mergeFeatureValue(base, base, { rolloutStrategies: same, locked: false }).changed.size, 0);
    assert.equal(canonicalJson({ b: 1, a: null, c: [{ y: 1, x: 2 }] }), '{"b":1,"c":[{"x":2,"y":1}]}');
  });
});

describe('feature value 3-way merge: application strategy instances', () => {
  const inst = (strategyId: string, value: string | null = 'v', enabled = true) => ({
    strategyId,
    value,
    enabled,
  });
  const base = state({ strategyInstances: [inst('s1'), inst('s2')] });

  it('adds, changes, removes and reorders instances', () => {
    const { next } = mergeFeatureValue(base, base, { strategyInstances: [inst('s3'), inst('s2', 'w')] });
    assert.deepEqual(next.strategyInstances, [inst('s3'), inst('s2', 'w')]);
  });

  it('changing an instance someone else changed conflicts', () => {
    const current = state({ strategyInstances: [inst('s1', 'x'), inst('s2')] });
    conflict(() => mergeFeatureValue(base, current, { strategyInstances: [inst('s1', 'y'), inst('s2')] }));
  });

  it('disabling an instance is a change', () => {
    const { changed } = mergeFeatureValue(base, base, {
      strategyInstances: [inst('s1', 'v', false), inst('s2')],
    });
    assert.deepEqual([...changed], ['instances']);
  });
});
