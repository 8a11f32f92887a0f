// Local evaluation cost, in its own process: our OpenFeature provider (directly and through the
// OpenFeature server SDK) beside the FeatureHub SDK 1.4.0, both holding the bench environment of the
// client-evaluated key from a running Edge, both evaluating every flag for the same 20 users.
import { FeatureHubProvider } from '@featurehub-ts/openfeature-provider';
import { parseContextHeader } from '@fh/evaluation';
import { type EvaluationContext, OpenFeature } from '@openfeature/server-sdk';
import { type ClientContext, EdgeFeatureHubConfig, FHLog, Readyness } from 'featurehub-javascript-node-sdk';
import { serveRequests } from '../lib/ipc.ts';

FHLog.fhLog.quiet();

export interface EvalRequest {
  readonly edgeUrl: string;
  /** `environmentId/serviceKey` of the client-evaluated key. */
  readonly apiKey: string;
  /** `x-featurehub` headers of the users. */
  readonly contexts: string[];
  /** Evaluations of every flag for every user, per way measured (after as many for warm-up). */
  readonly rounds: number;
}

export interface EvalResult {
  readonly flags: number;
  readonly users: number;
  readonly evaluations: number;
  readonly providerNsPerFlag: number;
  readonly openFeatureClientNsPerFlag: number;
  readonly sdkNsPerFlag: number;
}

type FlagType = 'BOOLEAN' | 'STRING' | 'NUMBER' | 'JSON';

function openFeatureContext(header: string): EvaluationContext {
  const out: Record<string, string | string[]> = {};
  for (const [name, values] of Object.entries(parseContextHeader(header))) {
    if (name === 'userkey') out['targetingKey'] = values[0]!;
    else out[name] = values.length === 1 ? values[0]! : [...values];
  }
  return out;
}

async function timed(rounds: number, once: () => Promise<void> | void): Promise<number> {
  for (let r = 0; r < rounds; r++) await once();
  const start = process.hrtime.bigint();
  for (let r = 0; r < rounds; r++) await once();
  return Number(process.hrtime.bigint() - start);
}

async function measure(request: EvalRequest): Promise<EvalResult> {
  const poll = await fetch(`${request.edgeUrl}/features?apiKey=${encodeURIComponent(request.apiKey)}`);
  const flags = ((await poll.json()) as { features: { key: string; type: FlagType }[] }[])[0]!.features;
  const contexts = request.contexts.map(openFeatureContext);

  const provider = new FeatureHubProvider({ edgeUrl: request.edgeUrl, apiKey: request.apiKey });
  await OpenFeature.setProviderAndWait('bench', provider);
  const client = OpenFeature.getClient('bench');
  let sink = 0;
  const providerNs = await timed(request.rounds, async () => {
    for (const ctx of contexts) {
      for (const f of flags) {
        const r =
          f.type === 'BOOLEAN'
            ? await provider.resolveBooleanEvaluation(f.key, false, ctx)
            : f.type === 'NUMBER'
              ? await provider.resolveNumberEvaluation(f.key, 0, ctx)
              : f.type === 'STRING'
                ? await provider.resolveStringEvaluation(f.key, '', ctx)
                : await provider.resolveObjectEvaluation(f.key, {}, ctx);
        if (r.value !== undefined) sink++;
      }
    }
  });
  const clientNs = await timed(request.rounds, async () => {
    for (const ctx of contexts) {
      for (const f of flags) {
        const v =
          f.type === 'BOOLEAN'
            ? await client.getBooleanValue(f.key, false, ctx)
            : f.type === 'NUMBER'
              ? await client.getNumberValue(f.key, 0, ctx)
              : f.type === 'STRING'
                ? await client.getStringValue(f.key, '', ctx)
                : await client.getObjectValue(f.key, {}, ctx);
        if (v !== undefined) sink++;
      }
    }
  });
  await OpenFeature.close();

  // FeatureHub SDK 1.4.0 with the same key: one client context per user, built once, as an
  // application keeps them; each evaluation is `feature(key).getX()` on it.
  const config = new EdgeFeatureHubConfig(request.edgeUrl, request.apiKey);
  const ready = new Promise<void>((resolve) =>
    config.addReadinessListener((r) => {
      if (r === Readyness.Ready) resolve();
    }, true),
  );
  config.init();
  await ready;
  const sdkContexts: ClientContext[] = [];
  for (const header of request.contexts) {
    let ctx = config.newContext();
    for (const [name, values] of Object.entries(parseContextHeader(header))) {
      if (name === 'userkey') ctx = ctx.userKey(values[0]!);
      else ctx = ctx.attributeValues(name, [...values]);
    }
    sdkContexts.push(await ctx.build());
  }
  const sdkNs = await timed(request.rounds, () => {
    for (const ctx of sdkContexts) {
      for (const f of flags) {
        const holder = ctx.feature(f.key);
        const v =
          f.type === 'BOOLEAN'
            ? holder.getBoolean()
            : f.type === 'NUMBER'
              ? holder.getNumber()
              : f.type === 'STRING'
                ? holder.getString()
                : holder.getRawJson();
        if (v !== undefined) sink++;
      }
    }
  });
  config.close();
  const evaluations = request.rounds * contexts.length * flags.length;
  if (sink === 0) throw new Error('nothing was evaluated');
  return {
    flags: flags.length,
    users: contexts.length,
    evaluations,
    providerNsPerFlag: providerNs / evaluations,
    openFeatureClientNsPerFlag: clientNs / evaluations,
    sdkNsPerFlag: sdkNs / evaluations,
  };
}

serveRequests({ measure: (r: EvalRequest) => measure(r) });
