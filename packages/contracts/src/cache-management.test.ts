import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Value } from 'typebox/value';
import {
  environmentVersionTag,
  MrCacheRequestSchema,
  StreamedFeatureUpdateSchema,
  serviceAccountVersionTag,
} from './cache-management.ts';

describe('version tags', () => {
  const f1 = { featureId: 'f1', featureVersion: 1, valueVersion: 3 };
  const f2 = { featureId: 'f2', featureVersion: 2, valueVersion: null };

  it('do not depend on the order of features or permissions', () => {
    assert.equal(environmentVersionTag(4, [f1, f2]), environmentVersionTag(4, [f2, f1]));
    const a = {
      version: 2,
      apiKeyClientSide: 'c*k',
      apiKeyServerSide: 's',
      permissions: [
        { environmentId: 'e1', permissions: ['READ', 'LOCK'] },
        { environmentId: 'e2', permissions: ['READ'] },
      ],
    };
    const b = { ...a, permissions: [...a.permissions].reverse() };
    b.permissions[1] = { environmentId: 'e1', permissions: ['LOCK', 'READ'] };
    assert.equal(serviceAccountVersionTag(a), serviceAccountVersionTag(b));
  });

  it('change with any version, a missing value, a removed feature or a changed key', () => {
    const base = environmentVersionTag(4, [f1, f2]);
    assert.notEqual(environmentVersionTag(5, [f1, f2]), base);
    assert.notEqual(environmentVersionTag(4, [{ ...f1, valueVersion: 4 }, f2]), base);
    assert.notEqual(environmentVersionTag(4, [f1, { ...f2, valueVersion: 1 }]), base);
    assert.notEqual(environmentVersionTag(4, [f1]), base);
    const sa = { version: 1, apiKeyClientSide: 'c*k', apiKeyServerSide: 's', permissions: [] };
    assert.notEqual(serviceAccountVersionTag(sa), serviceAccountVersionTag({ ...sa, apiKeyServerSide: 't' }));
    assert.equal(
      serviceAccountVersionTag(sa),
      serviceAccountVersionTag({ ...sa, permissions: [{ environmentId: 'e', permissions: [] }] }),
    );
  });
});

describe('cache request schemas', () => {
  it('accept a versions request and a fill request, and refuse a fill without its subject', () => {
    assert.ok(Value.Check(MrCacheRequestSchema, { type: 'versions' }));
    assert.ok(
      Value.Check(MrCacheRequestSchema, {
        type: 'fill',
        requesterId: 'd1',
        fillSubject: 'x.fill.d1',
        fillId: 'f',
        environmentIds: ['e'],
      }),
    );
    assert.ok(!Value.Check(MrCacheRequestSchema, { type: 'fill', requesterId: 'd1', fillId: 'f' }));
  });

  it('accept a test-SDK update that clears a value', () => {
    assert.ok(
      Value.Check(StreamedFeatureUpdateSchema, {
        apiKey: 'k',
        environmentId: 'e',
        featureKey: 'F',
        updatingValue: true,
        valueString: null,
      }),
    );
  });
});
