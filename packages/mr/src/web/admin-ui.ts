import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** Paths that belong to APIs, never to the single-page app's client-side routes. */
const API_PREFIXES = ['/mr-api', '/api-docs', '/features', '/health', '/metrics', '/info', '/dacha'];

/**
 * Serves the built admin UI (apps/admin-ui/dist) at `/`: hashed assets cached for long, `index.html`
 * never cached, and every other GET that is not an API path answered with `index.html` so that
 * client-side routes survive a reload.
 */
export async function registerAdminUi(app: FastifyInstance, options: { root: string }): Promise<void> {
  const indexFile = join(options.root, 'index.html');
  if (!existsSync(indexFile)) throw new Error(`the admin UI is not built: ${indexFile} is missing`);
  const index = readFileSync(indexFile);
  await app.register(fastifyStatic, {
    root: options.root,
    wildcard: false,
    index: false,
    setHeaders: (reply, path) => {
      reply.header(
        'cache-control',
        path.endsWith('.html') ? 'no-store, max-age=0' : 'public, max-age=864000, immutable',
      );
    },
  });
  const sendIndex = (_req: unknown, reply: import('fastify').FastifyReply) =>
    reply.header('cache-control', 'no-store, max-age=0').type('text/html; charset=utf-8').send(index);
  app.get('/', sendIndex);
  app.get('/*', (request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    if (API_PREFIXES.some((p) => path === p || path.startsWith(`${p}/`)) || /\.[a-z0-9]{1,8}$/i.test(path)) {
      return reply.status(404).send({ code: 'not_found', message: `No route for GET ${path}` });
    }
    return sendIndex(request, reply);
  });
}
