import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { CacheEnvironmentFeature, FeatureState } from '@fh/contracts';
import {
  clientApiKey,
  differentialSeed,
  type EdgeFixture,
  generateContext,
  generateFeatures,
  Rng,
  serverApiKey,
  startEdge,
} from '@fh/edge/testing';
import {
  determinePercentageKey,
  type EvaluationContext,
  encodeContextHeader,
  parseContextHeader,
} from '@fh/evaluation';
import { OpenFeature, type EvaluationContext as OpenFeatureContext } from '@openfeature/server-sdk';
import { FeatureHubProvider } from './index.ts';

// Agreement: for seeded random features (every strategy kind, every attribute type) and contexts
// (key-less ones included), three ways of asking FeatureHub must give the same answer for every
// feature × context:
//   1. Edge's server-evaluated poll (`GET /features`, server key, x-featurehub context), read the way
//      OFREP is specified to read it (docs/openfeature.md): its value (JSON parsed), unset = no value,
//      and TARGETING_KEY_MISSING where no strategy matched and a percentage rule needed the key;
//   2. OFREP's bulk evaluation on the same Edge (`POST /ofrep/v1/evaluate/flags`);
//   3. our provider through @openfeature/server-sdk, evaluating locally what the Edge stream sent
//      for the client-evaluated key.
// The seed is printed; rerun a failure with FH_DIFF_SEED=<seed>.

const FEATURES = 20;
const CONTEXTS = 300;
const MIN_COMPARISONS = 5000;

let edge: EdgeFixture | undefined;
after(async () => {
  await OpenFeature.close();
  await edge?.close();
});

/** The same attributes as an OpenFeature context: userkey as targetingKey when it is one value. */
function openFeatureContext(context: EvaluationContext): OpenFeatureContext {
  const out: Record<string, string | string[]> = {};
  for (const [name, values] of Object.entries(context)) {
    if (name === 'userkey' && values.length === 1) out['targetingKey'] = values[0]!;
    else out[name] = values.length === 1 ? values[0]! : [...values];
  }
  return out;
}

type Expected = { readonly errorCode: string } | { readonly value: unknown };

/** What OFREP must answer, derived from the server-evaluated poll and the feature's strategies. */
function expectedFrom(
  state: FeatureState | undefined,
  cache: CacheEnvironmentFeature,
  context: EvaluationContext,
): Expected {
  assert.ok(state !== undefined, `the poll lists ${cache.feature.key}`);
  const needsKey = (cache.value?.rolloutStrategies ?? []).some(
    (s) =>
      typeof s.percentage === 'number' && s.percentage !== 0 && (s.percentageAttributes ?? []).length === 0,
  );
  if (state.v == null && needsKey && determinePercentageKey(context) === undefined) {
    return { errorCode: 'TARGETING_KEY_MISSING' };
  }
  if (state.value === undefined || state.value === null) return { value: undefined };
  if (state.type !== 'JSON') return { value: state.value };
  try {
    return { value: JSON.parse(String(state.value)) };
  } catch {
    return { errorCode: 'PARSE_ERROR' };
  }
}

const DEFAULTS = {
  BOOLEAN: false,
  NUMBER: -123456,
  STRING: '<code default>',
  JSON: { codeDefault: true },
} as const;

describe('OFREP, the server-evaluated poll and our provider', () => {
  it('agree on every random feature × context, key-less contexts included', async (t) => {
    const seed = differentialSeed();
    t.diagnostic(`seed ${seed} (reproduce with FH_DIFF_SEED=${seed})`);
    const rng = new Rng(seed);
    const { features } = generateFeatures(rng, FEATURES, () => []);
    edge = await startEdge({ features: features.map((f) => f.cache) });
    const { url } = edge;
    const byKey = new Map(features.map((f) => [f.cache.feature.key, f.cache]));

    await OpenFeature.setProviderAndWait(
      'agreement',
      new FeatureHubProvider({ edgeUrl: url, apiKey: clientApiKey() }),
    );
    const client = OpenFeature.getClient('agreement');

    let compared = 0;
    let keylessCompared = 0;
    let keyMissing = 0;
    let matched = 0;
    const mismatches: string[] = [];
    for (let c = 0; c < CONTEXTS; c++) {
      // Both sides get the context the header carries, so encoding differences cannot hide or cause any.
      const header = encodeContextHeader(generateContext(rng));
      const context = parseContextHeader(header);
      const ofContext = openFeatureContext(context);
      const keyless = determinePercentageKey(context) === undefined;
      const [poll, bulk] = await Promise.all([
        fetch(`${url}/features?apiKey=${encodeURIComponent(serverApiKey())}`, {
          headers: { 'x-featurehub': header },
        }),
        fetch(`${url}/ofrep/v1/evaluate/flags`, {
          method: 'POST',
          headers: { authorization: `Bearer ${serverApiKey()}`, 'content-type': 'application/json' },
          body: JSON.stringify({ context: ofContext }),
        }),
      ]);
      assert.equal(poll.status, 200);
      assert.equal(bulk.status, 200, await bulk.clone().text());
      const served = new Map(
        ((await poll.json()) as { features: FeatureState[] }[])[0]!.features.map((f) => [f.key, f]),
      );
      const ofrep = new Map(
        (
          (await bulk.json()) as {
            flags: { key: string; value?: unknown; errorCode?: string; reason?: string; variant?: string }[];
          }
        ).flags.map((f) => [f.key, f]),
      );
      for (const [key, cache] of byKey) {
        const state = served.get(key);
        const expected = expectedFrom(state, cache, context);
        const flag = ofrep.get(key);
        const type = cache.feature.valueType;
        const fallback = DEFAULTS[type];
        const details =
          type === 'BOOLEAN'
            ? await client.getBooleanDetails(key, fallback as boolean, ofContext)
            : type === 'NUMBER'
              ? await client.getNumberDetails(key, fallback as number, ofContext)
              : type === 'STRING'
                ? await client.getStringDetails(key, fallback as string, ofContext)
                : await client.getObjectDetails(key, fallback as { codeDefault: boolean }, ofContext);
        compared++;
        if (keyless) keylessCompared++;
        if (state?.v != null) matched++;
        const problems: string[] = [];
        if ('errorCode' in expected) {
          if (expected.errorCode === 'TARGETING_KEY_MISSING') keyMissing++;
          if (flag?.errorCode !== expected.errorCode) problems.push(`OFREP ${JSON.stringify(flag)}`);
          if (details.errorCode !== expected.errorCode || details.value !== fallback)
            problems.push(`provider ${details.errorCode} ${JSON.stringify(details.value)}`);
        } else {
          const ofrepValue = flag === undefined || !('value' in flag) ? undefined : flag.value;
          if (flag?.errorCode !== undefined || !isDeepEqual(ofrepValue, expected.value))
            problems.push(`OFREP ${JSON.stringify(flag)}`);
          const objectMismatch =
            type === 'JSON' &&
            expected.value !== undefined &&
            (typeof expected.value !== 'object' || expected.value === null);
          const providerValue = expected.value === undefined || objectMismatch ? fallback : expected.value;
          const providerError = objectMismatch ? 'TYPE_MISMATCH' : undefined;
          if (details.errorCode !== providerError || !isDeepEqual(details.value, providerValue))
            problems.push(`provider ${details.errorCode} ${JSON.stringify(details.value)}`);
          if (!objectMismatch && (details.reason !== flag?.reason || details.variant !== flag?.variant))
            problems.push(
              `reason/variant: provider ${details.reason}/${details.variant}, OFREP ${flag?.reason}/${flag?.variant}`,
            );
        }
        if (problems.length > 0 && mismatches.length < 10) {
          mismatches.push(
            `${key} (${type}) for ${header}: poll ${JSON.stringify({ value: state?.value, v: state?.v })}, expected ${JSON.stringify(expected)}; ${problems.join('; ')}\n  strategies ${JSON.stringify(cache.value?.rolloutStrategies)}`,
          );
        } else if (problems.length > 0) {
          mismatches.push(key);
        }
      }
    }
    t.diagnostic(
      `comparisons ${compared} (key-less ${keylessCompared}, TARGETING_KEY_MISSING ${keyMissing}, strategy matched ${matched}), disagreements ${mismatches.length}`,
    );
    assert.equal(mismatches.length, 0, `seed ${seed}:\n${mismatches.slice(0, 10).join('\n')}`);
    assert.ok(compared >= MIN_COMPARISONS, `only ${compared} comparisons`);
    assert.ok(keylessCompared >= compared * 0.15, `only ${keylessCompared} key-less comparisons`);
    assert.ok(keyMissing >= 50, `only ${keyMissing} TARGETING_KEY_MISSING answers`);
    assert.ok(matched >= compared * 0.15, `only ${matched} strategy matches`);
  });
});

function isDeepEqual(a: unknown, b: unknown): boolean {
  try {
    assert.deepStrictEqual(a, b);
    return true;
  } catch {
    return false;
  }
}
