import { installGracefulShutdown, type Role, type ServerConfig } from '@fh/service-kit';
import { composeDacha } from './roles/dacha.ts';
import { composeEdge } from './roles/edge.ts';
import { composeEdgeRest } from './roles/edge-rest.ts';
import { composeMr } from './roles/mr.ts';
import { composeParty } from './roles/party.ts';
import { composePartyIsh } from './roles/party-ish.ts';
import type { RoleProcess } from './wiring.ts';

const compositionRoots: Record<Role, (config: ServerConfig) => Promise<RoleProcess>> = {
  party: composeParty,
  'party-ish': composePartyIsh,
  mr: composeMr,
  dacha: composeDacha,
  edge: composeEdge,
  'edge-rest': composeEdgeRest,
};

/** Builds the role, starts listening, and stops it gracefully on SIGTERM/SIGINT. */
export async function runRole(config: ServerConfig): Promise<void> {
  const p = await compositionRoots[config.role](config);
  installGracefulShutdown(p.logger, () => [
    {
      name: 'http',
      close: async () => {
        p.health.markShuttingDown();
        await p.app.close();
      },
    },
    ...p.shutdownSteps,
  ]);
  await p.app.listen({ port: config.port, host: config.host });
  const address = p.app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  p.logger.info({ role: config.role, port, database: redact(config.database.url) }, 'listening');
}

function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}
