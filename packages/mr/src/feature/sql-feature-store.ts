import type { Selectable } from 'kysely';
import type { FeatureTable } from '../db/schema.ts';
import {
  archiveFieldsOf,
  archiveRow,
  findArchivableRow,
  findLiveRow,
  insertLiveRow,
  type SqlStoreContext,
  updateLiveRow,
} from '../db/sql-support.ts';
import { nowMs, toBool } from '../db/store-support.ts';
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
    ...archiveFieldsOf(r),
  };
}

const duplicateKey = (key: string | undefined) =>
  `a feature with key "${key}" already exists in the application`;

export class SqlFeatureStore implements FeatureStore {
  constructor(private readonly ctx: SqlStoreContext) {}

  async create(input: CreateFeature): Promise<Feature> {
    const id = this.ctx.deps.ids.next();
    await insertLiveRow(
      this.ctx,
      'fh_feature',
      {
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
      },
      nowMs(this.ctx.deps.clock),
      duplicateKey(input.key),
      'duplicate_key',
    );
    return (await this.findById(id))!;
  }

  async findById(id: string, options: { includeArchived?: boolean } = {}): Promise<Feature | undefined> {
    const r = await findArchivableRow(this.ctx.db, 'fh_feature', id, options.includeArchived);
    return r && toFeature(r);
  }

  async findByKey(applicationId: string, key: string): Promise<Feature | undefined> {
    const r = await findLiveRow(this.ctx.db, 'fh_feature', {
      application_id: applicationId,
      feature_key: key,
    });
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
    await updateLiveRow(
      this.ctx,
      'fh_feature',
      'feature',
      id,
      {
        feature_key: patch.key,
        name: patch.name,
        value_type: patch.valueType,
        description: patch.description,
        link: patch.link,
        meta_data: patch.metaData,
        alias: patch.alias,
        secret: patch.secret,
      },
      patch.version,
      duplicateKey(patch.key),
      'duplicate_key',
    );
    return (await this.findById(id))!;
  }

  async archive(id: string): Promise<Feature> {
    await archiveRow(this.ctx, 'fh_feature', 'feature', id);
    return (await this.findById(id, { includeArchived: true }))!;
  }
}
