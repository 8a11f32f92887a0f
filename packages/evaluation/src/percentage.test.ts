import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { determinePercentageKey, murmur3X86x32, PERCENTAGE_BUCKETS, percentageBucket } from './index.ts';
import { percentageBucketOfIdBytes } from './percentage.ts';

// Hash test vectors of docs/edge-protocol.md §6.1 (upstream's Java and JS tests, and SDK 1.4.0 runs).
const rawHashVectors: ReadonlyArray<readonly [key: string, id: string, raw: number, bucket: number]> = [
  ['fred', 'abcde', 913231447, 212628],
  ['zappo-food', '172765e02-2-1-1-2-2-1', 4002404987, 931882],
  ['irina', 'one', 4026795837, 937561],
  ['', 'abc', 3017643002, 702599],
  ['ünïcødé', 'f1', 3524495865, 820610],
];

const bucketVectors: ReadonlyArray<readonly [key: string, id: string, bucket: number]> = [
  ['mary@mary.com', '01234567-89ab-cdef-0123-456789abcdef', 748273],
  ['tv-show', 'e2d4c6b1-7a5f-4a9e-9d6d-3f8d1c2b4a10', 558408],
  ['sess-abc', 'feature-1', 433852],
  ['acme', 'feature-1', 182644],
  ['<none>', 'feature-1', 299342],
  ['acme$store9', 'feature-1', 732241],
  ['acme$<none>', 'feature-1', 57846],
  ['company1$store9', 'fid', 333409],
];

const userBuckets: Readonly<Record<string, number>> = {
  user26: 16648,
  user15: 36302,
  user8: 53113,
  user18: 89393,
  user17: 116328,
  user4: 197244,
  user22: 216261,
  user5: 233009,
  user27: 310176,
  user25: 360368,
  user12: 395553,
  user29: 413383,
  user24: 425855,
  user0: 476732,
  user14: 487193,
  user2: 563691,
  user16: 620246,
  user13: 644910,
  user11: 656275,
  user10: 663809,
  user7: 678875,
  user19: 760658,
  user1: 773703,
  user20: 808413,
  user28: 813698,
  user23: 903194,
  user9: 919265,
  user3: 921736,
  user21: 986077,
  user6: 997893,
};

describe('murmur3 x86 32-bit', () => {
  for (const [key, id, raw] of rawHashVectors) {
    it(`hashes the UTF-8 bytes of "${key}${id}" to ${raw}`, () => {
      assert.equal(murmur3X86x32(key + id), raw);
    });
  }

  it('hashes a byte array the same as the string it encodes', () => {
    assert.equal(murmur3X86x32(new TextEncoder().encode('ünïcødéf1')), 3524495865);
  });

  it('covers every tail length (0-3 trailing bytes)', () => {
    // Reference values of MurmurHash3_x86_32 with seed 0.
    assert.equal(murmur3X86x32(''), 0);
    assert.equal(murmur3X86x32('a'), 1009084850);
    assert.equal(murmur3X86x32('ab'), 2613040991);
    assert.equal(murmur3X86x32('abc'), 3017643002);
    assert.equal(murmur3X86x32('abcd'), 1139631978);
  });

  it('honours a seed', () => {
    assert.notEqual(murmur3X86x32('fred', 1), murmur3X86x32('fred'));
    assert.equal(murmur3X86x32('', 1), 1364076727);
  });
});

describe('percentage bucket', () => {
  for (const [key, id, , bucket] of rawHashVectors) {
    it(`puts "${key}" + "${id}" in bucket ${bucket}`, () => {
      assert.equal(percentageBucket(key, id), bucket);
    });
  }
  for (const [key, id, bucket] of bucketVectors) {
    it(`puts "${key}" + "${id}" in bucket ${bucket}`, () => {
      assert.equal(percentageBucket(key, id), bucket);
    });
  }
  for (const [user, bucket] of Object.entries(userBuckets)) {
    it(`puts ${user} in bucket ${bucket} for feature-1`, () => {
      assert.equal(percentageBucket(user, 'feature-1'), bucket);
    });
  }

  it('always lands in 0…999,999', () => {
    for (let i = 0; i < 2000; i++) {
      const b = percentageBucket(`k${i}`, 'id');
      assert.ok(Number.isInteger(b) && b >= 0 && b < PERCENTAGE_BUCKETS);
    }
  });
});

describe('percentage key', () => {
  it('joins percentage attributes with $ (upstream determinePercentageKey vector)', () => {
    assert.equal(
      determinePercentageKey({ a: ['one-thing'], b: ['two-thing'] }, ['a', 'b']),
      'one-thing$two-thing',
    );
  });

  it('uses <none> for a missing percentage attribute', () => {
    assert.equal(determinePercentageKey({ company: ['acme'] }, ['company', 'store']), 'acme$<none>');
    assert.equal(determinePercentageKey({}, ['company']), '<none>');
  });

  it('joins all values of a multi-value percentage attribute, as the Java Edge does', () => {
    assert.equal(
      determinePercentageKey({ company: ['acme', 'beta'], store: ['s9'] }, ['company', 'store']),
      'acme$beta$s9',
    );
  });

  it('prefers session over userkey for the default key (what SDKs send, trap 10)', () => {
    assert.equal(determinePercentageKey({ userkey: ['user17'], session: ['sess-abc'] }), 'sess-abc');
  });

  it('also accepts the Java name sessionkey, after session', () => {
    assert.equal(determinePercentageKey({ userkey: ['u'], sessionkey: ['sk'] }), 'sk');
    assert.equal(determinePercentageKey({ sessionkey: ['sk'], session: ['s'] }), 's');
  });

  it('falls back to userkey, and to nothing without either', () => {
    assert.equal(determinePercentageKey({ userkey: ['user17'], country: ['nz'] }), 'user17');
    assert.equal(determinePercentageKey({ country: ['nz'] }), undefined);
    assert.equal(determinePercentageKey(undefined), undefined);
  });

  it('restores a userkey that contained a comma', () => {
    assert.equal(determinePercentageKey({ userkey: ['a', 'b'] }), 'a,b');
  });

  it('uses the default key when percentage attributes are empty or null', () => {
    assert.equal(determinePercentageKey({ userkey: ['u'] }, []), 'u');
    assert.equal(determinePercentageKey({ userkey: ['u'] }, null), 'u');
  });
});

describe('murmur3 on strings', () => {
  it('hashes a string exactly as its UTF-8 bytes (ASCII, mixed, lone surrogates, long inputs)', () => {
    const utf8 = new TextEncoder();
    const inputs = [
      '',
      'user1',
      'abcé',
      'é'.repeat(200),
      `${'x'.repeat(300)}ü`,
      'a\uD800b',
      '\uDC00',
      '😀 emoji',
      'x'.repeat(1000),
      'user17feature-1',
    ];
    for (const input of inputs) {
      assert.equal(murmur3X86x32(input), murmur3X86x32(utf8.encode(input)), JSON.stringify(input));
      assert.equal(murmur3X86x32(input, 42), murmur3X86x32(utf8.encode(input), 42));
    }
  });
});

describe('percentage bucket of a key and an id', () => {
  it('is the bucket of their concatenation, also when a surrogate pair is split between them', () => {
    const cases: [string, string][] = [
      ['user17', 'feature-1'],
      ['', 'f'],
      ['ü', 'f1'],
      ['u', 'ïd'],
      ['a\uD83D', '\uDE00b'],
      ['x'.repeat(500), 'y'.repeat(500)],
    ];
    const bucketOf = (text: string) =>
      Math.floor((murmur3X86x32(new TextEncoder().encode(text)) / 2 ** 32) * PERCENTAGE_BUCKETS);
    for (const [key, id] of cases) assert.equal(percentageBucket(key, id), bucketOf(key + id), key + id);
  });
});

describe('percentage bucket with the id encoded once', () => {
  it('is percentageBucket of the key and id, whatever the key holds', () => {
    const ids = ['feature-1', '0b1e2c3d-0000-4000-8000-000000000001', 'ïd', '\uDE00x', '', 'y'.repeat(3000)];
    const keys = ['user17', '', 'ü', 'a\uD83D', 'x'.repeat(400), '😀', 'acme$<none>'];
    for (const id of ids) {
      const bytes = new TextEncoder().encode(id);
      for (const key of keys) {
        assert.equal(percentageBucketOfIdBytes(key, id, bytes), percentageBucket(key, id), `${key}|${id}`);
      }
    }
  });
});
