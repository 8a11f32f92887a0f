import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dateTime, orderingLinks, plural, promotionOrder, relativeTime } from './format.ts';

describe('format', () => {
  const now = new Date('2025-03-10T12:00:00Z');

  it('says how long ago something happened', () => {
    assert.equal(relativeTime('2025-03-10T11:59:50Z', now), 'just now');
    assert.equal(relativeTime('2025-03-10T11:57:00Z', now), '3 minutes ago');
    assert.equal(relativeTime('2025-03-09T12:00:00Z', now), '1 day ago');
    assert.equal(relativeTime('2024-01-01T00:00:00Z', now), '2024-01-01');
    assert.equal(relativeTime(undefined, now), 'never');
  });

  it('prints an unambiguous UTC timestamp', () => {
    assert.equal(dateTime('2025-03-10T09:05:33Z'), '2025-03-10 09:05 UTC');
  });

  it('orders environments along the promotion chain and keeps orphans', () => {
    const envs = [
      { id: 'prod', priorEnvironmentId: 'test' },
      { id: 'dev' },
      { id: 'test', priorEnvironmentId: 'dev' },
      { id: 'lost', priorEnvironmentId: 'gone' },
    ];
    assert.deepEqual(
      promotionOrder(envs).map((e) => e.id),
      ['dev', 'test', 'prod', 'lost'],
    );
  });

  it('survives a cycle in the chain', () => {
    const envs = [
      { id: 'a', priorEnvironmentId: 'b' },
      { id: 'b', priorEnvironmentId: 'a' },
    ];
    assert.deepEqual(
      promotionOrder(envs)
        .map((e) => e.id)
        .sort(),
      ['a', 'b'],
    );
  });

  it('links an ordered list through priorEnvironmentId', () => {
    const linked = orderingLinks([{ id: 'x', priorEnvironmentId: 'z' }, { id: 'y' }, { id: 'z' }]);
    assert.deepEqual(linked, [
      { id: 'x' },
      { id: 'y', priorEnvironmentId: 'x' },
      { id: 'z', priorEnvironmentId: 'y' },
    ]);
  });

  it('pluralises', () => {
    assert.equal(plural(1, 'feature'), '1 feature');
    assert.equal(plural(2, 'feature'), '2 features');
  });
});
