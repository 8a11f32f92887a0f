import type { FastifyInstance } from 'fastify';
import type { MrContext } from '../core/mr-context.ts';

/** Registers the feature operations of the admin API. (Being built: see the issue "Management Repository".) */
export function registerFeatureRoutes(_app: FastifyInstance, _ctx: MrContext): void {}
