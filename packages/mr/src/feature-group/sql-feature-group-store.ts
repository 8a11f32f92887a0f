import { StaleVersionError } from '@fh/service-kit';
import type { Selectable } from 'kysely';
import type { FeatureGroupTable } from '../db/schema.ts';
import {
  archiveFieldsOf,
  archiveRow,
  findArchivableRow,
  insertLiveRow,
  type SqlStoreContext,
  updateLiveRow,
} from '../db/sql-support.ts';
import { missedUpdate, nowMs, parseJson, toNumber } from '../db/store-support.ts';
import {
  type CreateFeatureGroup,
  FEATURE_GROUP_STALE_STATUS,
  type FeatureGroup,
  type FeatureGroupMember,
  type FeatureGroupQuery,
  type FeatureGroupStore,
  type UpdateFeatureGroup,
} from './feature-group-store.ts';

const ENTITY = 'feature group';

function toFeatureGroup(r: Selectable<FeatureGroupTable>, members: FeatureGroupMember[]): FeatureGroup {
  return {
    id: r.id,
    applicationId: r.application_id,
    environmentId: r.environment_id,
    order: toNumber(r.position),
    name: r.name,
    description: r.description,
    strategies: parseJson<unknown[]>(r.strategies, []),
    members,
    whoChanged: r.who_changed,
    ...archiveFieldsOf(r),
  };
}

const clash = (name: string | undefined, order: number | undefined) =>
  `a feature group named "${name ?? ''}" or at order ${order ?? ''} already exists in this environment`;

export class SqlFeatureGroupStore implements FeatureGroupStore {
  constructor(private readonly ctx: SqlStoreContext) {}

  async create(input: CreateFeatureGroup): Promise<FeatureGroup> {
    const id = this.ctx.deps.ids.next();
    await insertLiveRow(
      this.ctx,
      'fh_feature_group',
      {
        id,
        application_id: input.applicationId,
        environment_id: input.environmentId,
        position: input.order,
        name: input.name,
        description: input.description ?? null,
        strategies: JSON.stringify(input.strategies ?? []),
        who_changed: input.whoChanged ?? null,
      },
      nowMs(this.ctx.deps.clock),
      clash(input.name, input.order),
    );
    await this.#insertMembers(id, input.members ?? []);
    return (await this.findById(id))!;
  }

  async findById(id: string, options: { includeArchived?: boolean } = {}): Promise<FeatureGroup | undefined> {
    const r = await findArchivableRow(this.ctx.db, 'fh_feature_group', id, options.includeArchived);
    if (!r) return undefined;
    return toFeatureGroup(r, (await this.#members([id])).get(id) ?? []);
  }

  async list(query: FeatureGroupQuery): Promise<FeatureGroup[]> {
    if (query.ids?.length === 0 || query.environmentIds?.length === 0) return [];
    const rows = await this.ctx.db
      .selectFrom('fh_feature_group')
      .selectAll()
      .where('when_archived', 'is', null)
      .$if(query.applicationId !== undefined, (qb) => qb.where('application_id', '=', query.applicationId!))
      .$if(query.environmentIds !== undefined, (qb) =>
        qb.where('environment_id', 'in', query.environmentIds!),
      )
      .$if(query.ids !== undefined, (qb) => qb.where('id', 'in', query.ids!))
      .$if(query.featureId !== undefined, (qb) =>
        qb.where('id', 'in', (eb) =>
          eb
            .selectFrom('fh_feature_group_feature')
            .select('feature_group_id')
            .where('feature_id', '=', query.featureId!),
        ),
      )
      .orderBy('environment_id')
      .orderBy('position')
      .execute();
    const members = await this.#members(rows.map((r) => r.id));
    return rows.map((r) => toFeatureGroup(r, members.get(r.id) ?? []));
  }

  async highestOrder(environmentId: string): Promise<number> {
    const row = await this.ctx.db
      .selectFrom('fh_feature_group')
      .select((eb) => eb.fn.max('position').as('highest'))
      .where('environment_id', '=', environmentId)
      .where('when_archived', 'is', null)
      .executeTakeFirst();
    const highest = row?.highest;
    return highest === null || highest === undefined ? 0 : Number(highest);
  }

  async update(id: string, patch: UpdateFeatureGroup): Promise<FeatureGroup> {
    const current = await findArchivableRow(this.ctx.db, 'fh_feature_group', id);
    if (!current) missedUpdate(ENTITY, id, undefined, patch.version);
    if (patch.version !== undefined && toNumber(current.version) !== patch.version) {
      missedUpdate(ENTITY, id, toNumber(current.version), patch.version, FEATURE_GROUP_STALE_STATUS);
    }
    try {
      await updateLiveRow(
        this.ctx,
        'fh_feature_group',
        ENTITY,
        id,
        {
          name: patch.name,
          description: patch.description,
          position: patch.order,
          strategies: patch.strategies === undefined ? undefined : JSON.stringify(patch.strategies),
          who_changed: patch.whoChanged,
        },
        patch.version,
        clash(patch.name ?? current.name, patch.order ?? toNumber(current.position)),
      );
    } catch (err) {
      // Someone saved in between our read and our write.
      if (err instanceof StaleVersionError && err.status !== FEATURE_GROUP_STALE_STATUS) {
        throw new StaleVersionError(err.message, FEATURE_GROUP_STALE_STATUS, { cause: err });
      }
      throw err;
    }
    if (patch.members !== undefined) {
      await this.ctx.db.deleteFrom('fh_feature_group_feature').where('feature_group_id', '=', id).execute();
      await this.#insertMembers(id, patch.members);
    }
    return (await this.findById(id))!;
  }

  async archive(id: string, whoChanged?: string | null): Promise<FeatureGroup> {
    if (whoChanged !== undefined) {
      await this.ctx.db
        .updateTable('fh_feature_group')
        .set({ who_changed: whoChanged })
        .where('id', '=', id)
        .where('when_archived', 'is', null)
        .execute();
    }
    await archiveRow(this.ctx, 'fh_feature_group', ENTITY, id);
    return (await this.findById(id, { includeArchived: true }))!;
  }

  async #insertMembers(groupId: string, members: readonly FeatureGroupMember[]): Promise<void> {
    if (members.length === 0) return;
    await this.ctx.db
      .insertInto('fh_feature_group_feature')
      .values(members.map((m) => ({ feature_group_id: groupId, feature_id: m.featureId, value: m.value })))
      .execute();
  }

  /** Members of live features, by group id, ordered by feature id. */
  async #members(groupIds: readonly string[]): Promise<Map<string, FeatureGroupMember[]>> {
    const out = new Map<string, FeatureGroupMember[]>();
    if (groupIds.length === 0) return out;
    const rows = await this.ctx.db
      .selectFrom('fh_feature_group_feature as m')
      .innerJoin('fh_feature as f', 'f.id', 'm.feature_id')
      .select(['m.feature_group_id', 'm.feature_id', 'm.value'])
      .where('m.feature_group_id', 'in', groupIds)
      .where('f.when_archived', 'is', null)
      .orderBy('m.feature_id')
      .execute();
    for (const r of rows) {
      const list = out.get(r.feature_group_id) ?? [];
      list.push({ featureId: r.feature_id, value: r.value });
      out.set(r.feature_group_id, list);
    }
    return out;
  }
}
