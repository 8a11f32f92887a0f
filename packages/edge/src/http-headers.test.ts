import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseContextHeader } from '@fh/evaluation';
import { contextTag, hash64, taggedRequestContext } from './http-headers.ts';

describe('taggedRequestContext', () => {
  it('gives the parsed context and its tag, the same for a header seen before', () => {
    const header = 'userkey=u1,country=nz,platform=ios';
    const first = taggedRequestContext({}, header);
    const again = taggedRequestContext({}, header);
    assert.deepEqual({ ...first.context }, { ...parseContextHeader(header) });
    assert.equal(first.tag, contextTag(parseContextHeader(header)));
    assert.equal(again.context, first.context);
    assert.ok(Object.isFrozen(first.context));
  });

  it('changes the tag whenever the context changes, but not with the order of its attributes', () => {
    const a = taggedRequestContext({}, 'userkey=u1,country=nz').tag;
    assert.equal(taggedRequestContext({}, 'country=nz,userkey=u1').tag, a);
    assert.notEqual(taggedRequestContext({}, 'userkey=u2,country=nz').tag, a);
    assert.notEqual(taggedRequestContext({}, 'userkey=u1,country=au').tag, a);
    assert.equal(taggedRequestContext({}, undefined).tag, undefined);
  });

  it('lets the xfeaturehub query parameter win over the header', () => {
    const r = taggedRequestContext({ xfeaturehub: 'userkey=q' }, 'userkey=h');
    assert.deepEqual(r.context['userkey'], ['q']);
  });
});

describe('hash64', () => {
  it('is 16 hex digits and differs for near-identical inputs', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 10_000; i++) seen.add(hash64(`userkey=user${i}`));
    assert.equal(seen.size, 10_000);
    assert.match(hash64('x'), /^[0-9a-f]{16}$/);
  });
});
