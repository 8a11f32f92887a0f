import { UnauthorizedError } from '@fh/service-kit';
import type { FastifyRequest } from 'fastify';
import type { PersonType } from '../person/person-store.ts';

/** Who is calling: a logged-in person or an admin service account, resolved from the bearer token. */
export interface Principal {
  readonly personId: string;
  readonly email: string;
  readonly name: string | null;
  readonly personType: PersonType;
  readonly passwordRequiresReset: boolean;
  /** The raw bearer token of this request (logout ends exactly this session). */
  readonly token: string;
}

const PRINCIPAL = Symbol('fh.principal');

export function setPrincipal(request: FastifyRequest, principal: Principal): void {
  (request as unknown as Record<symbol, Principal>)[PRINCIPAL] = principal;
}

/** The caller of an authenticated operation; 401 when the route had no authentication. */
export function principalOf(request: FastifyRequest): Principal {
  const p = (request as unknown as Record<symbol, Principal | undefined>)[PRINCIPAL];
  if (!p) throw new UnauthorizedError();
  return p;
}
