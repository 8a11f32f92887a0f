import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { CacheEnvironmentFeature, FeatureState, RolloutStrategyFieldType } from '@fh/contracts';
import {
  contextValues,
  type EvaluableFeature,
  type EvaluationContext,
  encodeContextHeader,
  evaluateFeature,
  matchAttribute,
  sdk140Divergences,
} from '@fh/evaluation';
import type { ClientContext } from 'featurehub-javascript-node-sdk';
import {
  differentialSeed,
  type GeneratedFeature,
  generateContext,
  generateFeatures,
  Rng,
  type StrategyKind,
} from './test-support/differential-cases.ts';
import { clientApiKey, type EdgeFixture, serverApiKey, startEdge } from './test-support/edge-fixture.ts';
import { closeAllSdks, sdkClient } from './test-support/sdk.ts';

// Differential test: random features and contexts, the real SDK 1.4.0 evaluating locally with the
// client-evaluated key against Edge evaluating with the server-evaluated key. Every pair is compared
// except where 1.4.0 is known to depart from the documented / Java Edge semantics (sdk140Divergences:
// docs/edge-protocol.md §6.1, §6.3, §6.4 and the SDK bugs in packages/evaluation/README.md); those are
// counted and reported by reason, and all compared pairs must agree. The seed is printed as a
// diagnostic; rerun a failure with FH_DIFF_SEED=<seed>.

const FEATURES = 20;
const CONTEXTS = 1000;
const MIN_CONTEXTS = 700;
/** At least this many feature×context pairs compared, all of them agreeing. */
const MIN_COMPARISONS = 5000;
/** Share of contexts without session, sessionkey or userkey (the generator draws about 22 %). */
const MIN_KEYLESS_SHARE = 0.15;

let edge: EdgeFixture | undefined;
after(async () => {
  await closeAllSdks();
  await edge?.close();
});

/** The feature as SDK 1.4.0 receives it from Edge's client-evaluated payload. */
function asSdkSees(state: FeatureState): EvaluableFeature {
  return { id: state.id, type: state.type, value: state.value, strategies: state.strategies ?? [] };
}

/** Before Edge exists: Edge writes `percentage` as an integer for client keys (feature-state.ts). */
function asEdgeWillSend(cache: CacheEnvironmentFeature): EvaluableFeature {
  return {
    id: cache.feature.id,
    type: cache.feature.valueType,
    value: cache.value?.value,
    strategies: (cache.value?.rolloutStrategies ?? []).map((s) => ({ ...s, percentage: s.percentage ?? 0 })),
  };
}

function buildSdkContext(
  sdk: ReturnType<typeof sdkClient>,
  context: EvaluationContext,
): Promise<ClientContext> {
  let ctx = sdk.config.newContext();
  for (const [name, values] of Object.entries(context)) {
    const first = values[0] ?? '';
    if (name === 'userkey') ctx = ctx.userKey(first);
    else if (name === 'session') ctx = ctx.sessionKey(first);
    else if (name === 'country') ctx = ctx.country(first as never);
    else if (name === 'device') ctx = ctx.device(first as never);
    else if (name === 'platform') ctx = ctx.platform(first as never);
    else if (name === 'version') ctx = ctx.version(first);
    else if (values.length === 1) ctx = ctx.attributeValue(name, first);
    else ctx = ctx.attributeValues(name, [...values]);
  }
  return ctx.build();
}

function sdkValue(ctx: ClientContext, state: FeatureState): unknown {
  const holder = ctx.feature(state.key);
  switch (state.type) {
    case 'BOOLEAN':
      return holder.getBoolean();
    case 'NUMBER':
      return holder.getNumber();
    case 'STRING':
      return holder.getString();
    default:
      return holder.getRawJson();
  }
}

async function pollServerEvaluated(url: string, header: string): Promise<Map<string, FeatureState>> {
  const res = await fetch(`${url}/features?apiKey=${encodeURIComponent(serverApiKey())}`, {
    headers: { 'x-featurehub': header },
  });
  assert.equal(res.status, 200, `server-evaluated poll: ${res.status}`);
  const body = (await res.json()) as { features: FeatureState[] }[];
  return new Map((body[0]?.features ?? []).map((f) => [f.key, f]));
}

/** The context the SDK's answer may be predicted from: a missing `now` reads as today (UTC). */
function withClock(context: EvaluationContext, today: string): EvaluationContext {
  // Both 1.4.0 and Edge read the clock for a `now` rule the context lacks; the generated rule values
  // are dates in 2024, so the answer is the same for any run date, and the pair is compared.
  return contextValues(context, 'now') === undefined ? { ...context, now: [today] } : context;
}

/** No session, sessionkey or userkey: percentage rules without `percentageAttributes` cannot hold. */
function isKeyless(context: EvaluationContext): boolean {
  return ['session', 'sessionkey', 'userkey'].every((name) => contextValues(context, name) === undefined);
}

/**
 * Strategies of `feature` that the old rule (a percentage strategy with attributes is decided by
 * its attributes alone when there is no percentage key) would have matched for a key-less context.
 */
function keylessAttributeMatches(feature: EvaluableFeature, context: EvaluationContext): number {
  return (feature.strategies ?? []).filter(
    (s) =>
      typeof s.percentage === 'number' &&
      s.percentage !== 0 &&
      (s.percentageAttributes ?? []).length === 0 &&
      (s.attributes ?? []).length > 0 &&
      (s.attributes ?? []).every((a) => matchAttribute(a, context)),
  ).length;
}

function tally(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

/** "strategy[1] (F03-s1) tier STRING NOT_EQUALS: multi-value ..." → "STRING NOT_EQUALS: multi-value ...". */
function reasonCategory(reason: string): string {
  return reason
    .replace(/^strategy\[\d+\]( \([^)]*\))?( \S+(?= [A-Z_]+ [A-Z_]+:))?/, '')
    .replace(/^:/, '')
    .trim();
}

function summary(counts: Map<string, number>): string {
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${n}× ${k}`)
    .join('; ');
}

describe('SDK 1.4.0 with a client-evaluated key and Edge with a server-evaluated key', () => {
  it('compute the same value for random features and contexts, key-less ones included, wherever 1.4.0 follows the documented semantics', async (t) => {
    const seed = differentialSeed();
    t.diagnostic(`seed ${seed} (reproduce with FH_DIFF_SEED=${seed})`);
    const rng = new Rng(seed);

    // Strategy lists 1.4.0 evaluates differently whatever the context (e.g. cumulative
    // percentages, §6.3.1) are drawn again; a probe context with a userkey and a clock finds those.
    const probe: EvaluationContext = { userkey: ['probe'], now: ['2024-06-12'] };
    const { features, rejected } = generateFeatures(rng, FEATURES, (cache) =>
      sdk140Divergences(asEdgeWillSend(cache), probe),
    );
    const rejectedReasons = new Map<string, number>();
    for (const reasons of rejected) for (const r of reasons) tally(rejectedReasons, reasonCategory(r));
    t.diagnostic(`strategy lists drawn again: ${rejected.length} (${summary(rejectedReasons)})`);

    edge = await startEdge({ features: features.map((f) => f.cache) });
    const { url } = edge;

    // What the SDK gets (Edge's client-evaluated payload) decides agreement, so a difference
    // between that payload and the cache data Edge evaluates server-side cannot hide.
    const clientRes = await fetch(`${url}/features?apiKey=${encodeURIComponent(clientApiKey())}`);
    assert.equal(clientRes.status, 200);
    const clientStates = ((await clientRes.json()) as { features: FeatureState[] }[])[0]?.features ?? [];
    assert.equal(clientStates.length, FEATURES);
    const byKey = new Map<string, GeneratedFeature>(features.map((f) => [f.cache.feature.key, f]));

    const sdk = sdkClient(url, clientApiKey());
    assert.equal(await sdk.settled, 'Ready');

    const filteredReasons = new Map<string, number>();
    const matchesByKind = new Map<string, number>();
    const attributeHits = new Map<string, { hit: number; miss: number }>();
    const mismatches: string[] = [];
    let compared = 0;
    let filtered = 0;
    let matched = 0;
    let fullyComparedContexts = 0;
    let mostlyComparedContexts = 0;
    const comparedPerFeature = new Map<string, number>();
    let keylessContexts = 0;
    let sessionOnlyContexts = 0;
    let keylessCompared = 0;
    let sessionOnlyCompared = 0;
    let keylessPercentageWithAttributes = 0;
    const today = new Date().toISOString().slice(0, 10);

    for (let c = 0; c < CONTEXTS; c++) {
      const context = generateContext(rng);
      const keyless = isKeyless(context);
      const sessionOnly =
        contextValues(context, 'session') !== undefined && contextValues(context, 'userkey') === undefined;
      if (keyless) keylessContexts++;
      if (sessionOnly) sessionOnlyContexts++;
      const header = encodeContextHeader(context);
      const [served, sdkCtx] = await Promise.all([
        pollServerEvaluated(url, header),
        buildSdkContext(sdk, context),
      ]);
      let comparedHere = 0;
      for (const state of clientStates) {
        const wire = asSdkSees(state);
        const reasons = sdk140Divergences(wire, withClock(context, today));
        if (reasons.length > 0) {
          filtered++;
          tally(filteredReasons, reasonCategory(reasons[0] ?? ''));
          continue;
        }
        compared++;
        comparedHere++;
        if (keyless) {
          keylessCompared++;
          keylessPercentageWithAttributes += keylessAttributeMatches(wire, context);
        }
        if (sessionOnly) sessionOnlyCompared++;
        tally(comparedPerFeature, state.key);
        const fromEdge = served.get(state.key);
        const expected = sdkValue(sdkCtx, state);
        const actual = fromEdge?.value;
        if (fromEdge?.v != null) {
          matched++;
          tally(matchesByKind, byKey.get(state.key)?.kinds.get(fromEdge.v) ?? `unknown ${fromEdge.v}`);
        }
        for (const s of wire.strategies ?? []) {
          for (const a of s.attributes ?? []) {
            const counts = attributeHits.get(a.type) ?? { hit: 0, miss: 0 };
            if (matchAttribute(a, context)) counts.hit++;
            else counts.miss++;
            attributeHits.set(a.type, counts);
          }
        }
        if (!Object.is(expected, actual) && mismatches.length < 10) {
          const cached = byKey.get(state.key)?.cache;
          mismatches.push(
            [
              `feature ${state.key} (${state.type}, id ${state.id}), default ${JSON.stringify(state.value)}`,
              `  strategies as the SDK got them: ${JSON.stringify(state.strategies)}`,
              `  strategies as cached: ${JSON.stringify(cached?.value?.rolloutStrategies)}`,
              `  context ${JSON.stringify(context)} (x-featurehub: ${header})`,
              `  SDK 1.4.0: ${JSON.stringify(expected)}; Edge: ${JSON.stringify(actual)} (v ${fromEdge?.v}); evaluateFeature on the SDK's data: ${JSON.stringify(evaluateFeature(wire, context))}`,
            ].join('\n'),
          );
        } else if (!Object.is(expected, actual)) {
          mismatches.push(state.key);
        }
      }
      if (comparedHere === FEATURES) fullyComparedContexts++;
      if (comparedHere >= FEATURES * 0.75) mostlyComparedContexts++;
    }

    const agreed = compared - mismatches.length;
    t.diagnostic(
      `comparisons ${compared}, agreements ${agreed} (${((100 * agreed) / Math.max(1, compared)).toFixed(2)} %)`,
    );
    t.diagnostic(
      `contexts ${CONTEXTS} (all ${FEATURES} features compared for ${fullyComparedContexts}, ` +
        `at least ${FEATURES * 0.75} for ${mostlyComparedContexts}); ` +
        `feature×context pairs compared ${compared}, excluded ${filtered} (${summary(filteredReasons)})`,
    );
    t.diagnostic(
      `key-less contexts ${keylessContexts} (${keylessCompared} pairs compared; ` +
        `${keylessPercentageWithAttributes} percentage+attribute strategies whose attributes match but which ` +
        `must not match without a percentage key); session-only contexts ${sessionOnlyContexts} ` +
        `(${sessionOnlyCompared} pairs compared)`,
    );
    t.diagnostic(`strategy matches ${matched} (${summary(matchesByKind)})`);
    t.diagnostic(
      `attribute rules hit/missed: ${[...attributeHits.entries()].map(([k, v]) => `${k} ${v.hit}/${v.miss}`).join(', ')}`,
    );

    assert.equal(
      mismatches.length,
      0,
      `seed ${seed}: ${mismatches.length} disagreements between SDK 1.4.0 and Edge:\n${mismatches.slice(0, 10).join('\n')}`,
    );
    assert.ok(compared >= MIN_COMPARISONS, `only ${compared} comparisons (seed ${seed})`);
    assert.equal(agreed, compared);

    // Key-less and session-only contexts are well represented, and the key-less ones really reach
    // percentage strategies with attributes (which Edge once matched on their attributes alone).
    assert.ok(
      keylessContexts >= CONTEXTS * MIN_KEYLESS_SHARE,
      `only ${keylessContexts} of ${CONTEXTS} contexts without a percentage key (seed ${seed})`,
    );
    assert.ok(
      keylessCompared >= MIN_COMPARISONS * MIN_KEYLESS_SHARE,
      `only ${keylessCompared} key-less pairs`,
    );
    assert.ok(sessionOnlyContexts >= CONTEXTS * 0.1, `only ${sessionOnlyContexts} session-only contexts`);
    assert.ok(sessionOnlyCompared >= 1000, `only ${sessionOnlyCompared} session-only pairs compared`);
    assert.ok(
      keylessPercentageWithAttributes >= 10,
      `only ${keylessPercentageWithAttributes} key-less percentage+attribute cases (seed ${seed})`,
    );

    // Not vacuous: enough contexts and pairs compared, every feature compared often, strategies of
    // every kind matched, and rules of every field type both hit and missed.
    assert.ok(
      compared >= MIN_CONTEXTS * FEATURES * 0.75,
      `only ${compared} feature×context pairs compared (seed ${seed})`,
    );
    assert.ok(
      mostlyComparedContexts >= MIN_CONTEXTS,
      `only ${mostlyComparedContexts} contexts compared on ${FEATURES * 0.75}+ features (seed ${seed})`,
    );
    for (const state of clientStates) {
      assert.ok(
        (comparedPerFeature.get(state.key) ?? 0) >= MIN_CONTEXTS / 5,
        `${state.key} compared for only ${comparedPerFeature.get(state.key) ?? 0} contexts (seed ${seed})`,
      );
    }
    assert.ok(
      matched >= compared * 0.15,
      `only ${matched} of ${compared} pairs matched a strategy (seed ${seed})`,
    );
    const kinds: StrategyKind[] = ['percentage', 'percentage+attributes', 'attributes'];
    for (const kind of kinds) {
      const present = features.some((f) => [...f.kinds.values()].includes(kind));
      if (present) assert.ok((matchesByKind.get(kind) ?? 0) >= 10, `few ${kind} matches (seed ${seed})`);
    }
    const types: RolloutStrategyFieldType[] = [
      'STRING',
      'NUMBER',
      'SEMANTIC_VERSION',
      'DATE',
      'DATETIME',
      'BOOLEAN',
      'IP_ADDRESS',
    ];
    let hits = 0;
    let evaluations = 0;
    let bothWays = 0;
    for (const type of types) {
      const counts = attributeHits.get(type) ?? { hit: 0, miss: 0 };
      hits += counts.hit;
      evaluations += counts.hit + counts.miss;
      if (counts.hit > 0 && counts.miss > 0) bothWays++;
    }
    // A type drawn into only a rule or two may legitimately never hit (e.g. BOOLEAN GREATER).
    assert.ok(
      bothWays >= 5,
      `only ${bothWays} field types had rules that both hit and missed (seed ${seed})`,
    );
    assert.ok(
      hits >= evaluations * 0.1,
      `only ${hits} of ${evaluations} rule evaluations hit (seed ${seed})`,
    );
  });
});
