import { NotFoundError } from '@fh/service-kit';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { route } from '../api/mr-api-plugin.ts';
import type { MrContext } from '../core/mr-context.ts';
import { BINDING_COOKIE } from './pending-sign-ins.ts';
import type { SingleSignOn, StartedSignIn } from './single-sign-on.ts';
import { cookieOf, setCookie } from './sso-cookies.ts';
import { SsoRefusedError } from './sso-sign-in.ts';

/** The cookie upstream's admin UI reads its session from after single sign-on. */
export const BEARER_COOKIE = 'bearer-token';
/** How long the session token may sit in that (script-readable) cookie; our UI takes it at once. */
const HANDOFF_SECONDS = 60;
const BINDING_SECONDS = 600;

function cookieBase(sso: SingleSignOn) {
  const { cookieSecure, cookieDomain } = sso.config.oauth2;
  return { secure: cookieSecure, ...(cookieDomain ? { domain: cookieDomain } : {}) };
}

/** Ties a started sign-in to this browser: an HttpOnly cookie the callback must bring back. */
export function bindToBrowser(reply: FastifyReply, sso: SingleSignOn, started: StartedSignIn): void {
  setCookie(reply, BINDING_COOKIE, started.binding, {
    ...cookieBase(sso),
    httpOnly: true,
    maxAgeSeconds: BINDING_SECONDS,
  });
}

/**
 * `GET /mr-api/external-provider/{provider}` and the OIDC callback `GET /oauth/auth` (upstream's paths). A
 * signed-in person goes to `oauth2.adminUiUrlSuccess` with the session in the `bearer-token` cookie for a
 * minute; a refused one to `oauth2.adminUiUrlFailure?sso-error=<reason>`.
 */
export function registerSsoRoutes(app: FastifyInstance, ctx: MrContext): void {
  const sso = ctx.sso;

  route(app, 'getLoginUrlForProvider', async (request, reply) => {
    const started = await sso.start(request.params.provider);
    bindToBrowser(reply, sso, started);
    return { redirectUrl: started.redirectUrl };
  });

  const handOver = (reply: FastifyReply, token: string, successUrl: string) => {
    setCookie(reply, BEARER_COOKIE, token, {
      ...cookieBase(sso),
      httpOnly: false,
      maxAgeSeconds: HANDOFF_SECONDS,
    });
    return reply.code(302).header('location', successUrl).send();
  };
  const refuse = (reply: FastifyReply, err: SsoRefusedError, failureUrl: string) => {
    ctx.logger.warn({ reason: err.reason, detail: err.message }, 'single sign-on refused');
    const to = new URL(failureUrl);
    to.searchParams.set('sso-error', err.reason);
    return reply.code(302).header('location', to.href).send();
  };

  // SAML: this SP's metadata, a redirect to the IdP, and the assertion consumer service (HTTP-POST binding).
  app.get<{ Params: { provider: string } }>('/saml/:provider/metadata', async (request, reply) => {
    const saml = sso.samlProvider(request.params.provider);
    if (!saml) throw new NotFoundError(`No SAML provider ${JSON.stringify(request.params.provider)}`);
    return reply.type('application/samlmetadata+xml').send(saml.metadata());
  });
  app.get<{ Params: { provider: string } }>('/saml/:provider/auth', async (request, reply) => {
    if (!sso.samlProvider(request.params.provider)) {
      throw new NotFoundError(`No SAML provider ${JSON.stringify(request.params.provider)}`);
    }
    const started = await sso.start(request.params.provider);
    bindToBrowser(reply, sso, started);
    return reply.code(302).header('location', started.redirectUrl).send();
  });
  void app.register(async (scope) => {
    scope.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string', bodyLimit: 512 * 1024 },
      (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(String(body)))),
    );
    scope.post<{ Params: { provider: string } }>('/saml/:provider/sso', async (request, reply) => {
      void reply.header('cache-control', 'no-store');
      const form = (request.body ?? {}) as Record<string, string>;
      try {
        const loggedIn = await sso.finishSaml(ctx.uow, request.params.provider, form);
        ctx.logger.info(
          { personId: loggedIn.person.id, provider: loggedIn.provider },
          'signed in by single sign-on',
        );
        return handOver(reply, loggedIn.token, sso.config.saml.successUrl);
      } catch (err) {
        if (!(err instanceof SsoRefusedError)) throw err;
        return refuse(reply, err, sso.config.saml.failureUrl);
      }
    });
  });

  app.get('/oauth/auth', async (request, reply) => {
    void reply.header('cache-control', 'no-store');
    setCookie(reply, BINDING_COOKIE, '', { ...cookieBase(sso), httpOnly: true, maxAgeSeconds: 0 });
    const q = request.url.indexOf('?');
    try {
      const loggedIn = await sso.finishOidc(
        ctx.uow,
        request.query as Record<string, unknown>,
        q < 0 ? '' : request.url.slice(q),
        cookieOf(request, BINDING_COOKIE),
      );
      ctx.logger.info(
        { personId: loggedIn.person.id, provider: loggedIn.provider },
        'signed in by single sign-on',
      );
      return handOver(reply, loggedIn.token, sso.config.oauth2.successUrl);
    } catch (err) {
      if (!(err instanceof SsoRefusedError)) throw err;
      return refuse(reply, err, sso.config.oauth2.failureUrl);
    }
  });
}
