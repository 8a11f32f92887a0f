import type { FastifyInstance } from 'fastify';
import type { MrContext } from '../core/mr-context.ts';

/** Registers the feature-value operations of the admin API. (Being built: see the issue "Management Repository".) */
export function registerFeatureValueRoutes(_app: FastifyInstance, _ctx: MrContext): void {}
