// Test-only browser entry (bundled with esbuild by openfeature-browser.int.test.ts): the real
// @openfeature/web-sdk with the real OFREP web provider and with our web provider, in one page, each
// in its own OpenFeature domain. The test drives it through `globalThis.openFeatureTest`.
import { FeatureHubWebProvider } from '@featurehub-ts/openfeature-provider/web';
import { OFREPWebProvider } from '@openfeature/ofrep-web-provider';
import { type EvaluationContext, type Hook, OpenFeature, ProviderEvents } from '@openfeature/web-sdk';

const DOMAINS = ['ofrep', 'ours'] as const;
type Domain = (typeof DOMAINS)[number];

const changes: Record<Domain, string[][]> = { ofrep: [], ours: [] };
// Hooks belong to a client object: the page keeps one client per domain, as an application would.
const clients = new Map<Domain, ReturnType<typeof OpenFeature.getClient>>();
const evaluated: string[] = [];

const hook: Hook = {
  after: (ctx, details) => {
    evaluated.push(`${ctx.clientMetadata.domain}:${details.flagKey}=${JSON.stringify(details.value)}`);
  },
};

async function start(options: {
  server: string;
  serverKey: string;
  clientKey: string;
  context: EvaluationContext;
}) {
  await OpenFeature.setContext(options.context);
  await Promise.all([
    OpenFeature.setProviderAndWait(
      'ofrep',
      new OFREPWebProvider({
        baseUrl: options.server,
        headers: [['Authorization', `Bearer ${options.serverKey}`]],
        cacheMode: 'disabled',
      }),
    ),
    OpenFeature.setProviderAndWait(
      'ours',
      new FeatureHubWebProvider({ edgeUrl: options.server, apiKey: options.clientKey }),
    ),
  ]);
  for (const domain of DOMAINS) {
    const client = OpenFeature.getClient(domain);
    clients.set(domain, client);
    client.addHooks(hook);
    client.addHandler(ProviderEvents.ConfigurationChanged, (details) =>
      changes[domain].push(details?.flagsChanged ?? []),
    );
  }
}

function values(domain: Domain) {
  const client = clients.get(domain) ?? OpenFeature.getClient(domain);
  const colour = client.getStringDetails('COLOUR', 'none');
  return {
    FLAG: client.getBooleanValue('FLAG', false),
    NUM: client.getNumberValue('NUM', 0),
    CONFIG: client.getObjectValue('CONFIG', {}),
    BANNER: client.getStringValue('BANNER', 'none'),
    COLOUR: colour.value,
    colourReason: colour.reason,
    status: client.providerStatus,
  };
}

(globalThis as Record<string, unknown>)['openFeatureTest'] = {
  start,
  values,
  changes,
  evaluated,
  setContext: (context: EvaluationContext) => OpenFeature.setContext(context),
  loadedAt: Date.now(),
};
