import { NotFoundError } from '@fh/service-kit';
import type { Selectable } from 'kysely';
import type { FeatureTable } from '../db/schema.ts';
import { archiveWhere, type SqlStoreContext } from '../db/sql-support.ts';
import {
  definedOnly,
  missedUpdate,
  nowMs,
  toBool,
  toDate,
  toDateOrNull,
  toNumber,
  uniquely,
} from '../db/store-support.ts';
import type {
  CreateFeature,
  Feature,
  FeatureQuery,
  FeatureStore,
  FeatureValueType,
  UpdateFeature,
} from './feature-store.ts';

function toFeature(r: Selectable<FeatureTable>): Feature {
  return {
    id: r.id,
    applicationId: r.application_id,
    key: r.feature_key,
    name: r.name,
    valueType: r.value_type as FeatureValueType,
    description: r.description,
    link: r.link,
    metaData: r.meta_data,
    alias: r.alias,
    secret: toBool(r.secret),
    version: toNumber(r.version),
    whenCreated: toDate(r.when_created),
    whenUpdated: toDate(r.when_updated),
    whenArchived: toDateOrNull(r.when_archived),
  };
}

const duplicateKey = (key: string | undefined) =>
  `a feature with key "${key}" already exists in the application`;

export class SqlFeatureStore implements FeatureStore {
  constructor(private readonly ctx: SqlStoreContext) {}

  async create(input: CreateFeature): Promise<Feature> {
    const now = nowMs(this.ctx.deps.clock);
    const id = this.ctx.deps.ids.next();
    await uniquely(
      duplicateKey(input.key),
      () =>
        this.ctx.db
          .insertInto('fh_feature')
          .values({
            id,
            application_id: input.applicationId,
            feature_key: input.key,
            name: input.name,
            value_type: input.valueType,
            description: input.description ?? null,
            link: input.link ?? null,
            meta_data: input.metaData ?? null,
            alias: input.alias ?? null,
            secret: input.secret ?? false,
            version: 1,
            when_created: now,
            when_updated: now,
            when_archived: null,
            archive_key: '',
          })
          .execute(),
      'duplicate_key',
    );
    return (await this.findById(id))!;
  }

  async findById(id: string, options: { includeArchived?: boolean } = {}): Promise<Feature | undefined> {
    const r = await this.ctx.db
      .selectFrom('fh_feature')
      .selectAll()
      .where('id', '=', id)
      .$if(!options.includeArchived, (qb) => qb.where('when_archived', 'is', null))
      .executeTakeFirst();
    return r && toFeature(r);
  }

  async findByKey(applicationId: string, key: string): Promise<Feature | undefined> {
    const r = await this.ctx.db
      .selectFrom('fh_feature')
      .selectAll()
      .where('application_id', '=', applicationId)
      .where('feature_key', '=', key)
      .where('when_archived', 'is', null)
      .executeTakeFirst();
    return r && toFeature(r);
  }

  async list(query: FeatureQuery): Promise<Feature[]> {
    if ((query.ids && query.ids.length === 0) || (query.keys && query.keys.length === 0)) return [];
    const rows = await this.ctx.db
      .selectFrom('fh_feature')
      .selectAll()
      .$if(query.applicationId !== undefined, (qb) => qb.where('application_id', '=', query.applicationId!))
      .$if(query.ids !== undefined, (qb) => qb.where('id', 'in', query.ids!))
      .$if(query.keys !== undefined, (qb) => qb.where('feature_key', 'in', query.keys!))
      .$if(!query.includeArchived, (qb) => qb.where('when_archived', 'is', null))
      .orderBy('feature_key')
      .orderBy('id')
      .execute();
    return rows.map(toFeature);
  }

  async update(id: string, patch: UpdateFeature): Promise<Feature> {
    const res = await uniquely(
      duplicateKey(patch.key),
      () =>
        this.ctx.db
          .updateTable('fh_feature')
          .set((eb) => ({
            ...definedOnly({
              feature_key: patch.key,
              name: patch.name,
              value_type: patch.valueType,
              description: patch.description,
              link: patch.link,
              meta_data: patch.metaData,
              alias: patch.alias,
              secret: patch.secret,
            }),
            version: eb('version', '+', 1),
            when_updated: nowMs(this.ctx.deps.clock),
          }))
          .where('id', '=', id)
          .where('when_archived', 'is', null)
          .$if(patch.version !== undefined, (qb) => qb.where('version', '=', patch.version!))
          .executeTakeFirst(),
      'duplicate_key',
    );
    if (Number(res.numUpdatedRows) === 0)
      missedUpdate('feature', id, (await this.findById(id))?.version, patch.version);
    return (await this.findById(id))!;
  }

  async archive(id: string): Promise<Feature> {
    if ((await archiveWhere(this.ctx.db, 'fh_feature', 'id', [id], nowMs(this.ctx.deps.clock))) === 0) {
      throw new NotFoundError(`feature ${id} not found`);
    }
    return (await this.findById(id, { includeArchived: true }))!;
  }
}
