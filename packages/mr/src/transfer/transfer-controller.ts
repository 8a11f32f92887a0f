import { BadRequestError, ForbiddenError } from '@fh/service-kit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { OperationWithId } from '../api/mr-api-plugin.ts';
import type { MrContext } from '../core/mr-context.ts';
import type { Database } from '../db/open-database.ts';
import { type ChangePublisher, ChangeSet } from '../publishing/change-set.ts';
import { exportTransferDocument } from './transfer-export.ts';
import { formatTransferDocument, MAX_TRANSFER_FILE_BYTES, parseTransferDocument } from './transfer-format.ts';
import { importTransferDocument } from './transfer-import.ts';

// The same export and import as the `featurehub export|import` command, on the admin API for automation (and the
// admin UI's download/upload): superusers only, since a file spans portfolios and carries SDK keys on request.
//   GET  /mr-api/transfer/export?application=<id or name>&includeKeys=true&includePeople=true&format=yaml|json
//        → the file
//   POST /mr-api/transfer/import?dryRun=true&prune=true  (body: the YAML or JSON file)           → the report
// Our extension: not in upstream's admin API, hence plain routes beside the operation table.

const AUTH_ONLY = { allowedDuringPasswordReset: false } as unknown as OperationWithId;
const flag = (v: unknown) => v === 'true' || v === '1' || v === true;

export function registerTransferRoutes(
  app: FastifyInstance,
  ctx: MrContext,
  database: Database,
  publisher: ChangePublisher,
): void {
  const superuser = async (request: FastifyRequest) => {
    await ctx.authenticator.authenticate(request, undefined as never, AUTH_ONLY);
    const access = await ctx.access(request);
    if (!access.isSuperuser) throw new ForbiddenError('only superusers may export or import');
  };

  app.register(async (scope) => {
    // The file arrives as text (YAML) or JSON; both are read by the same parser, which validates them.
    scope.addContentTypeParser(
      ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/plain', 'application/json'],
      { parseAs: 'string', bodyLimit: MAX_TRANSFER_FILE_BYTES },
      (_request, body, done) => done(null, body),
    );

    scope.get('/mr-api/transfer/export', { schema: { hide: true } }, async (request, reply) => {
      await superuser(request);
      const q = request.query as Record<string, string | undefined>;
      const format = q['format'] ?? 'yaml';
      if (format !== 'yaml' && format !== 'json') throw new BadRequestError('format must be yaml or json');
      const doc = await exportTransferDocument(database.db, {
        application: q['application'] || undefined,
        includeKeys: flag(q['includeKeys']),
        includePeople: flag(q['includePeople']),
      });
      const name = q['application']
        ? `featurehub-${q['application'].replace(/[^A-Za-z0-9_-]/g, '_')}`
        : 'featurehub';
      return reply
        .header(
          'content-type',
          format === 'json' ? 'application/json; charset=utf-8' : 'application/yaml; charset=utf-8',
        )
        .header('content-disposition', `attachment; filename="${name}.${format}"`)
        .header('cache-control', 'no-store')
        .send(formatTransferDocument(doc, format));
    });

    scope.post('/mr-api/transfer/import', { schema: { hide: true } }, async (request) => {
      await superuser(request);
      const q = request.query as Record<string, string | undefined>;
      if (typeof request.body !== 'string' || request.body.trim() === '') {
        throw new BadRequestError('the body must be the YAML or JSON file to import');
      }
      const doc = parseTransferDocument(request.body, 'body');
      const report = await importTransferDocument(database, doc, {
        dryRun: flag(q['dryRun']),
        prune: flag(q['prune']),
        clock: ctx.clock,
        siteUrl: ctx.settings.siteUrl,
        registrationTokenDays: ctx.settings.registrationTokenDays,
      });
      if (!report.dryRun) {
        // After the commit, as every use case: caches get the imported state at once (ADR 0005).
        const changes = new ChangeSet();
        // An environment archived by --prune is read as archived by the publisher and dropped from caches.
        for (const id of report.changedEnvironments) changes.environmentChanged(id);
        for (const f of report.changedFeatures)
          changes.featureChanged(f.applicationId, f.featureId, f.action);
        for (const v of report.changedFeatureValues)
          changes.featureValueChanged(v.environmentId, v.featureId);
        for (const id of report.changedServiceAccounts) changes.serviceAccountChanged(id);
        if (!changes.isEmpty()) {
          try {
            await publisher.publish(changes);
          } catch (err) {
            ctx.logger.error({ err }, 'publishing imported changes failed');
          }
        }
      }
      return report;
    });
  });
}
