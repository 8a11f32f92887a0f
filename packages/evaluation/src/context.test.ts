import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  contextSha,
  contextValues,
  type EvaluationContext,
  encodeContextHeader,
  MAX_CONTEXT_ATTRIBUTES,
  parseContextHeader,
} from './index.ts';

const plain = (ctx: EvaluationContext) => ({ ...ctx });

// x-featurehub vectors recorded from SDK 1.4.0 (docs/edge-protocol.md §5): the context the SDK built, the
// header, its contextSha.
const headerVectors: ReadonlyArray<{ context: EvaluationContext; header: string; sha: string }> = [
  {
    context: {
      userkey: ['DJElif'],
      session: ['VirtualBurningMan'],
      country: ['turkey'],
      platform: ['macos'],
      device: ['desktop'],
      city: ['istanbul'],
      'musical styles': ['deep', 'psychedelic'],
      version: ['4.3.2'],
    },
    header:
      'city=istanbul,country=turkey,device=desktop,musical styles=deep%2Cpsychedelic,platform=macos,session=VirtualBurningMan,userkey=DJElif,version=4.3.2',
    sha: 'y__846CD67uvF-DpD5Lup3s-rJchp_DKIqN6PSP3uog',
  },
  {
    context: { userkey: ['fred'] },
    header: 'userkey=fred',
    sha: 'ah0fpC0cGRdVKiValAeSIFy2LMLv1mE6taP3XQA4UYs',
  },
  {
    context: { email: ['a=b,c@x.com'], Zed: ['ä ö'] },
    header: 'Zed=%C3%A4%20%C3%B6,email=a%3Db%2Cc%40x.com',
    sha: 'RkSgfoIdpKja7wPDZ3AgoluELev_OQQ6ZDO6K2D9cTY',
  },
  {
    context: { userkey: ['user17'], country: ['australia'] },
    header: 'country=australia,userkey=user17',
    sha: 'NPzjpdGPlwYBS3NZ1t8LTm4BkuTVpnpF48AwEPRt4lc',
  },
  { context: {}, header: '', sha: '0' },
];

describe('x-featurehub header vectors (§5)', () => {
  for (const [i, v] of headerVectors.entries()) {
    it(`vector ${i + 1}: encodes like SDK 1.4.0 to "${v.header}"`, () => {
      assert.equal(encodeContextHeader(v.context), v.header);
    });
    it(`vector ${i + 1}: contextSha is ${v.sha}`, async () => {
      assert.equal(await contextSha(v.header), v.sha);
    });
  }

  it('vector 1: decodes back to the context, the multi-value attribute as a list', () => {
    assert.deepEqual(plain(parseContextHeader(headerVectors[0]!.header)), headerVectors[0]!.context);
  });

  it('vector 3: decodes percent-encoded UTF-8, = and , inside values', () => {
    assert.deepEqual(plain(parseContextHeader(headerVectors[2]!.header)), {
      Zed: ['ä ö'],
      email: ['a=b', 'c@x.com'],
    });
  });

  it('vector 4: decodes userkey and country', () => {
    assert.deepEqual(plain(parseContextHeader('country=australia,userkey=user17')), {
      country: ['australia'],
      userkey: ['user17'],
    });
  });

  it('treats an empty header as no context', () => {
    assert.deepEqual(plain(parseContextHeader('')), {});
  });
});

describe('x-featurehub decoding rules (trap 9)', () => {
  it('splits on , before decoding, so %2C stays inside one value list', () => {
    assert.deepEqual(plain(parseContextHeader('a=1%2C2,b=3')), { a: ['1', '2'], b: ['3'] });
  });

  it('splits each item at the first =', () => {
    assert.deepEqual(plain(parseContextHeader('k=v=w')), { k: ['v=w'] });
  });

  it('decodes + as a space (form decoding) and lower-case escapes', () => {
    assert.deepEqual(plain(parseContextHeader('city=new+york,tags=a%2cb')), {
      city: ['new york'],
      tags: ['a', 'b'],
    });
  });

  it('decodes names too', () => {
    assert.deepEqual(plain(parseContextHeader('musical%20styles=deep')), { 'musical styles': ['deep'] });
  });

  it('ignores items without =', () => {
    assert.deepEqual(plain(parseContextHeader('junk,userkey=u,alsojunk')), { userkey: ['u'] });
  });

  it('stops after 30 attributes', () => {
    const header = Array.from({ length: 40 }, (_, i) => `a${i}=${i}`).join(',');
    const ctx = parseContextHeader(header);
    assert.equal(Object.keys(ctx).length, MAX_CONTEXT_ATTRIBUTES);
    assert.deepEqual(ctx.a29, ['29']);
    assert.equal(ctx.a30, undefined);
  });

  it('handles repeated headers, as an array or joined by Node with ", "', () => {
    assert.deepEqual(plain(parseContextHeader(['userkey=u', 'country=nz'])), {
      userkey: ['u'],
      country: ['nz'],
    });
    assert.deepEqual(plain(parseContextHeader('userkey=u, country=nz')), { userkey: ['u'], country: ['nz'] });
  });

  it('lets a later item with the same name win', () => {
    assert.deepEqual(plain(parseContextHeader('userkey=a,userkey=b')), { userkey: ['b'] });
  });

  it('keeps an empty value as an empty string', () => {
    assert.deepEqual(plain(parseContextHeader('userkey=')), { userkey: [''] });
  });
});

describe('garbage headers never throw', () => {
  const garbage: ReadonlyArray<string | readonly string[] | null | undefined> = [
    '%',
    '%E0%A4%A',
    'a=%ZZ',
    '=novalue',
    '==',
    ',,,,',
    '\u0000\uffff',
    'a=%E0%A4%A,b=ok',
    '   ',
    undefined,
    null,
    [],
    [42 as unknown as string],
    'x'.repeat(100_000),
  ];
  for (const header of garbage) {
    it(`returns an empty or partial context for ${JSON.stringify(header)?.slice(0, 40)}`, () => {
      const ctx = parseContextHeader(header);
      assert.equal(typeof ctx, 'object');
    });
  }

  it('keeps the good items next to a broken escape', () => {
    assert.deepEqual(plain(parseContextHeader('a=%E0%A4%A,b=ok')), { b: ['ok'] });
    assert.deepEqual(plain(parseContextHeader('=novalue,%=x')), {});
  });

  it('cannot pollute prototypes through __proto__ or constructor', () => {
    const ctx = parseContextHeader('__proto__=x,constructor=y');
    assert.deepEqual(contextValues(ctx, '__proto__'), ['x']);
    assert.deepEqual(contextValues(ctx, 'constructor'), ['y']);
    assert.equal(({} as Record<string, unknown>).x, undefined);
  });
});

describe('contextValues', () => {
  it('ignores inherited properties of a plain object literal', () => {
    assert.equal(contextValues({ userkey: ['u'] }, 'constructor'), undefined);
    assert.equal(contextValues({ userkey: ['u'] }, 'toString'), undefined);
  });

  it('treats an empty list as absent and tolerates a bare string', () => {
    assert.equal(contextValues({ a: [] }, 'a'), undefined);
    assert.deepEqual(contextValues({ a: 'x' } as unknown as EvaluationContext, 'a'), ['x']);
  });
});
