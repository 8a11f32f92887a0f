import { BadRequestError } from '@fh/service-kit';
import type { FastifyInstance } from 'fastify';
import type { Organization as ApiOrganization, SetupMissingResponse } from '../api/index.ts';
import { route } from '../api/mr-api-plugin.ts';
import { toApiTokenizedPerson } from '../auth/auth-mapper.ts';
import type { MrContext } from '../core/mr-context.ts';
import { toApiGroup } from '../group/group-mapper.ts';
import { bindToBrowser } from '../sso/sso-controller.ts';
import { capabilityInfo, capabilityInfoBeforeSetup } from './capabilities.ts';
import { type Installed, SetupService } from './setup-service.ts';

function toApiOrganization({ organisation, superuserGroup }: Installed): ApiOrganization {
  return {
    id: organisation.id,
    name: organisation.name,
    version: organisation.version,
    whenCreated: organisation.whenCreated.toISOString(),
    whenUpdated: organisation.whenUpdated.toISOString(),
    whenArchived: organisation.whenArchived?.toISOString() ?? null,
    ...(superuserGroup ? { orgGroup: toApiGroup(superuserGroup) } : {}),
  };
}

/** GET/POST /initialize: whether FeatureHub is set up, and the first-user setup. */
export function registerSetupRoutes(app: FastifyInstance, ctx: MrContext): void {
  const setup = new SetupService({ hasher: ctx.hasher, clock: ctx.clock, settings: ctx.settings });
  const providers = () => ctx.sso.providers();

  route(app, 'isInstalled', async (_request, reply) => {
    const installed = await setup.installed(ctx.stores);
    if (!installed) {
      const missing: SetupMissingResponse = { ...providers(), capabilityInfo: capabilityInfoBeforeSetup() };
      return reply.code(404).send(missing);
    }
    return { organization: toApiOrganization(installed), ...providers(), capabilityInfo: capabilityInfo() };
  });

  route(app, 'setupSiteAdmin', async (request, reply) => {
    await setup.requireNotSetUp(ctx.stores);
    const body = request.body;
    const provider =
      body.authProvider ?? (!body.password && !body.emailAddress ? ctx.sso.onlyProvider() : undefined);
    if (provider && provider !== 'local') {
      if (!ctx.sso.isProvider(provider)) {
        throw new BadRequestError(`Unknown login provider ${JSON.stringify(provider)} on this server`);
      }
      const names = setup.prepareForSso(body);
      const started = await ctx.sso.start(provider);
      await ctx.uow.run((tx) => setup.setUpForSso(tx, names));
      bindToBrowser(reply, ctx.sso, started);
      return { redirectUrl: started.redirectUrl };
    }
    if (!ctx.sso.localLoginEnabled) {
      throw new BadRequestError(
        'Signing in with a password is switched off on this server (auth.disable-login); set up with a sign-in provider',
      );
    }
    const prepared = await setup.prepare(request.body);
    const done = await ctx.uow.run((tx) => setup.setUp(tx, prepared));
    return toApiTokenizedPerson(ctx.stores, done);
  });
}
