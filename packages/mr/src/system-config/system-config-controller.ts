import type { FastifyInstance } from 'fastify';
import { route } from '../api/mr-api-plugin.ts';
import type { MrContext } from '../core/mr-context.ts';
import type { SystemConfigService, SystemConfigView } from './system-config-service.ts';

/** Registers SystemConfigService: GET/POST /mr-api/system-api and the decrypt operation. */
export function registerSystemConfigRoutes(
  app: FastifyInstance,
  ctx: MrContext,
  service: SystemConfigService,
): void {
  route(app, 'getSystemConfig', async (request) => {
    const access = await ctx.access(request);
    const raw = request.query.filters as unknown;
    const filters = raw === undefined ? [] : Array.isArray(raw) ? (raw as string[]) : [String(raw)];
    return {
      configs: (
        await service.list(
          ctx.stores,
          access,
          filters.flatMap((f) => f.split(',')),
        )
      ).map(toApi),
    };
  });

  route(app, 'createOrUpdateSystemConfigs', async (request) => {
    const access = await ctx.access(request);
    const who = ctx.principal(request).personId;
    const updates = (request.body.configs ?? []).map((c) => ({
      key: c.key ?? '',
      version: c.version ?? -1,
      value: c.value,
    }));
    const saved = await ctx.uow.run((tx) => service.update(tx, access, updates, who));
    return { configs: saved.map(toApi) };
  });

  route(app, 'decryptSystemConfig', async (request) => {
    const access = await ctx.access(request);
    return { result: await service.decrypt(ctx.stores, access, request.params.key, request.query.mapKey) };
  });
}

function toApi(v: SystemConfigView): SystemConfigView {
  return v.value === undefined ? { key: v.key, encrypted: v.encrypted, version: v.version } : v;
}
