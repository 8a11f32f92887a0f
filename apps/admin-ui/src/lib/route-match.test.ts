import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { matchPath, safeNext } from './route-match.ts';

describe('matchPath', () => {
  it('extracts decoded parameters', () => {
    assert.deepEqual(matchPath('/apps/:appId/features', '/apps/a%20b/features'), { appId: 'a b' });
    assert.deepEqual(matchPath('/users', '/users/'), {});
  });

  it('does not match different shapes', () => {
    assert.equal(matchPath('/apps/:appId', '/apps'), undefined);
    assert.equal(matchPath('/apps/:appId', '/groups/x'), undefined);
  });
});

describe('safeNext', () => {
  it('only allows local paths', () => {
    assert.equal(safeNext('/apps/1/features'), '/apps/1/features');
    assert.equal(safeNext('//evil.example'), '/');
    assert.equal(safeNext('https://evil.example'), '/');
    assert.equal(safeNext(null), '/');
    assert.equal(safeNext('/login?next=/x'), '/');
  });
});
