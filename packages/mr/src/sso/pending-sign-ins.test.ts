import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bindingMatches, newBinding, PendingSignIns } from './pending-sign-ins.ts';

describe('sign-ins in flight', () => {
  const entry = (bindingHash = 'h') => ({ provider: 'p', secret: 's', nonce: 'n', bindingHash });

  it('each can be taken once, within its lifetime', () => {
    let now = 0;
    const pending = new PendingSignIns({ ttlMs: 1000, now: () => now });
    pending.add('a', entry());
    pending.add('b', entry());
    assert.equal(pending.take('a')?.provider, 'p');
    assert.equal(pending.take('a'), undefined, 'used');
    now = 1000;
    assert.equal(pending.take('b'), undefined, 'expired');
    assert.equal(pending.take('never'), undefined);
  });

  it('holds at most `max`, dropping the oldest', () => {
    const pending = new PendingSignIns({ max: 2 });
    for (const k of ['a', 'b', 'c']) pending.add(k, entry());
    assert.equal(pending.take('a'), undefined);
    assert.ok(pending.take('b'));
    assert.ok(pending.take('c'));
  });

  it('a browser binding matches only its own cookie', () => {
    const binding = newBinding();
    const started = { ...entry(binding.hash), expiresAt: 0 };
    assert.equal(bindingMatches(started, binding.value), true);
    assert.equal(bindingMatches(started, newBinding().value), false);
    assert.equal(bindingMatches(started, undefined), false);
  });
});
