import type { FastifyInstance } from 'fastify';
import { route } from '../api/mr-api-plugin.ts';
import type { MrContext } from '../core/mr-context.ts';
import { type WebhookService, webhookTypes } from './webhook-service.ts';

/** Registers WebhookService: the types, the test ping and each environment's delivery history. */
export function registerWebhookRoutes(app: FastifyInstance, ctx: MrContext, service: WebhookService): void {
  route(app, 'getWebhookTypes', async () => ({ types: webhookTypes.map((t) => ({ ...t })) }));

  route(app, 'testWebhook', async (request) => {
    const access = await ctx.access(request);
    await service.ping(ctx.stores, access, request.body);
    return undefined;
  });

  route(app, 'listWebhooks', async (request) => {
    const access = await ctx.access(request);
    const q = request.query;
    const page = await service.history(ctx.stores, access, request.params.envId, {
      max: q.max,
      startAt: q.startAt,
      filter: q.filter,
    });
    return {
      max: page.total,
      results: page.results.map((r) => ({
        id: r.id,
        type: r.cloudEventType,
        method: r.method,
        whenSent: r.whenSent.toISOString(),
        status: r.status,
      })),
    };
  });

  route(app, 'getWebhookDetails', async (request) => {
    const access = await ctx.access(request);
    const r = await service.detail(ctx.stores, access, request.params.envId, request.params.id);
    return {
      whenSent: r.whenSent.toISOString(),
      status: r.status,
      method: r.method,
      sourceSystem: '/webhook-features',
      cloudEventType: r.cloudEventType,
      deliveredDataCloudEventType: r.cloudEventType,
      content: r.content,
      url: r.url,
      outboundHeaders: r.outboundHeaders,
      incomingHeaders: r.incomingHeaders,
      result: r.result,
    };
  });
}
