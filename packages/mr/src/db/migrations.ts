import { createHash } from 'node:crypto';
import {
  type ColumnDataType,
  type CreateTableBuilder,
  type Expression,
  type Kysely,
  type Migration,
  type MigrationProvider,
  sql,
} from 'kysely';
import type { DialectName } from './database-url.ts';

// The schema is written once with Kysely's schema builder and run on all three dialects. The only
// dialect-specific choices are the column types below and MySQL's table options.

// biome-ignore lint/suspicious/noExplicitAny: migrations run against a schema that does not exist yet
type AnyDb = Kysely<any>;
type DataType = ColumnDataType | Expression<unknown>;

interface Types {
  id: DataType;
  timestamp: DataType;
  longText: DataType;
}

function typesFor(dialect: DialectName): Types {
  return {
    id: 'varchar(36)',
    // PostgreSQL and MySQL keep real timestamps (UTC); SQLite has none, so ISO-8601 text, which sorts.
    timestamp: dialect === 'postgres' ? 'timestamptz' : dialect === 'mysql' ? sql`datetime(3)` : 'text',
    // MySQL TEXT stops at 64 KiB, too small for big strategy lists or metadata.
    longText: dialect === 'mysql' ? sql`mediumtext` : 'text',
  };
}

type Table = CreateTableBuilder<string, string>;

interface TableKit {
  t: Types;
  /** version + created/updated timestamps */
  versioned(tb: Table): Table;
  /** versioned + when_archived + archive_key */
  archivable(tb: Table): Table;
  fk(
    tb: Table,
    column: string,
    target: string,
    opts?: { onDelete?: 'cascade' | 'set null'; targetColumn?: string },
  ): Table;
}

function kit(table: string, dialect: DialectName): TableKit {
  const t = typesFor(dialect);
  const versioned = (tb: Table) =>
    tb
      .addColumn('version', 'bigint', (c) => c.notNull())
      .addColumn('when_created', t.timestamp, (c) => c.notNull())
      .addColumn('when_updated', t.timestamp, (c) => c.notNull());
  return {
    t,
    versioned,
    archivable: (tb) =>
      versioned(tb)
        .addColumn('when_archived', t.timestamp)
        .addColumn('archive_key', 'varchar(36)', (c) => c.notNull().defaultTo('')),
    // Table-level constraints: MySQL silently ignores column-level REFERENCES. MySQL also wants FK
    // names unique per database, hence the table prefix.
    fk: (tb, column, target, opts = {}) =>
      tb.addForeignKeyConstraint(
        `fk_${table.replace(/^fh_/, '')}_${column}`.slice(0, 63),
        [column],
        target,
        [opts.targetColumn ?? 'id'],
        (c) => (opts.onDelete ? c.onDelete(opts.onDelete) : c),
      ),
  };
}

async function createTable(
  db: AnyDb,
  dialect: DialectName,
  name: string,
  build: (tb: Table, k: TableKit) => Table,
): Promise<void> {
  let tb = db.schema.createTable(name);
  // Binary collation makes names/keys case-sensitive as on PostgreSQL and SQLite.
  if (dialect === 'mysql') tb = tb.modifyEnd(sql`engine=InnoDB default charset=utf8mb4 collate=utf8mb4_bin`);
  await build(tb, kit(name, dialect)).execute();
}

async function index(db: AnyDb, name: string, table: string, columns: string[]): Promise<void> {
  await db.schema.createIndex(name).on(table).columns(columns).execute();
}

function domainSchema(dialect: DialectName): Migration {
  return {
    async up(db) {
      const create = (name: string, build: (tb: Table, k: TableKit) => Table) =>
        createTable(db, dialect, name, build);

      // group_id points at the superuser group; no FK because groups point back at organisations.
      await create('fh_organisation', (tb, k) =>
        k
          .versioned(
            tb
              .addColumn('id', k.t.id, (c) => c.primaryKey())
              .addColumn('name', 'varchar(255)', (c) => c.notNull())
              .addColumn('group_id', k.t.id),
          )
          .addColumn('when_archived', k.t.timestamp),
      );

      await create('fh_person', (tb, k) => {
        let t = tb
          .addColumn('id', k.t.id, (c) => c.primaryKey())
          .addColumn('email', 'varchar(255)', (c) => c.notNull())
          .addColumn('name', 'varchar(150)')
          .addColumn('person_type', 'varchar(20)', (c) => c.notNull())
          .addColumn('password_hash', 'varchar(255)')
          .addColumn('password_alg', 'varchar(60)')
          .addColumn('password_requires_reset', 'boolean', (c) => c.notNull())
          .addColumn('registration_token', 'varchar(64)')
          .addColumn('registration_token_expiry', k.t.timestamp)
          .addColumn('when_last_authenticated', k.t.timestamp)
          .addColumn('created_by', k.t.id)
          .addColumn('changed_by', k.t.id);
        t = k.versioned(t).addColumn('when_archived', k.t.timestamp);
        t = t.addUniqueConstraint('uq_person_email', ['email']);
        t = k.fk(t, 'created_by', 'fh_person');
        return k.fk(t, 'changed_by', 'fh_person');
      });
      await index(db, 'ix_person_registration_token', 'fh_person', ['registration_token']);

      await create('fh_session', (tb, k) =>
        k.fk(
          tb
            .addColumn('token_hash', 'varchar(64)', (c) => c.primaryKey())
            .addColumn('person_id', k.t.id, (c) => c.notNull())
            .addColumn('when_created', k.t.timestamp, (c) => c.notNull())
            .addColumn('last_seen', k.t.timestamp, (c) => c.notNull()),
          'person_id',
          'fh_person',
          { onDelete: 'cascade' },
        ),
      );
      await index(db, 'ix_session_person', 'fh_session', ['person_id']);

      await create('fh_portfolio', (tb, k) => {
        let t = tb
          .addColumn('id', k.t.id, (c) => c.primaryKey())
          .addColumn('organisation_id', k.t.id, (c) => c.notNull())
          .addColumn('name', 'varchar(255)', (c) => c.notNull())
          .addColumn('description', 'varchar(400)')
          .addColumn('created_by', k.t.id);
        t = k
          .archivable(t)
          .addUniqueConstraint('uq_portfolio_name', ['organisation_id', 'name', 'archive_key']);
        t = k.fk(t, 'organisation_id', 'fh_organisation');
        return k.fk(t, 'created_by', 'fh_person');
      });

      await create('fh_group', (tb, k) => {
        let t = tb
          .addColumn('id', k.t.id, (c) => c.primaryKey())
          .addColumn('organisation_id', k.t.id, (c) => c.notNull())
          .addColumn('portfolio_id', k.t.id)
          .addColumn('name_scope', k.t.id, (c) => c.notNull())
          .addColumn('name', 'varchar(255)', (c) => c.notNull())
          .addColumn('is_admin', 'boolean', (c) => c.notNull())
          .addColumn('created_by', k.t.id);
        t = k.archivable(t).addUniqueConstraint('uq_group_name', ['name_scope', 'name', 'archive_key']);
        t = k.fk(t, 'organisation_id', 'fh_organisation');
        t = k.fk(t, 'portfolio_id', 'fh_portfolio');
        return k.fk(t, 'created_by', 'fh_person');
      });
      await index(db, 'ix_group_portfolio', 'fh_group', ['portfolio_id']);

      await create('fh_group_member', (tb, k) => {
        let t = tb
          .addColumn('group_id', k.t.id, (c) => c.notNull())
          .addColumn('person_id', k.t.id, (c) => c.notNull())
          .addPrimaryKeyConstraint('pk_group_member', ['group_id', 'person_id']);
        t = k.fk(t, 'group_id', 'fh_group', { onDelete: 'cascade' });
        return k.fk(t, 'person_id', 'fh_person', { onDelete: 'cascade' });
      });
      await index(db, 'ix_group_member_person', 'fh_group_member', ['person_id']);

      await create('fh_application', (tb, k) => {
        let t = tb
          .addColumn('id', k.t.id, (c) => c.primaryKey())
          .addColumn('portfolio_id', k.t.id, (c) => c.notNull())
          .addColumn('name', 'varchar(100)', (c) => c.notNull())
          .addColumn('description', 'varchar(400)')
          .addColumn('created_by', k.t.id);
        t = k
          .archivable(t)
          .addUniqueConstraint('uq_application_name', ['portfolio_id', 'name', 'archive_key']);
        t = k.fk(t, 'portfolio_id', 'fh_portfolio');
        return k.fk(t, 'created_by', 'fh_person');
      });

      await create('fh_environment', (tb, k) => {
        let t = tb
          .addColumn('id', k.t.id, (c) => c.primaryKey())
          .addColumn('application_id', k.t.id, (c) => c.notNull())
          .addColumn('name', 'varchar(150)', (c) => c.notNull())
          .addColumn('description', 'varchar(400)')
          .addColumn('prior_environment_id', k.t.id)
          .addColumn('is_production', 'boolean', (c) => c.notNull())
          .addColumn('user_info', k.t.longText, (c) => c.notNull())
          .addColumn('management_info', k.t.longText, (c) => c.notNull())
          .addColumn('webhook_info', k.t.longText, (c) => c.notNull())
          .addColumn('when_unpublished', k.t.timestamp);
        t = k
          .archivable(t)
          .addUniqueConstraint('uq_environment_name', ['application_id', 'name', 'archive_key']);
        t = k.fk(t, 'application_id', 'fh_application');
        return k.fk(t, 'prior_environment_id', 'fh_environment', { onDelete: 'set null' });
      });

      for (const [table, target, roles] of [
        ['fh_application_acl', 'application_id', 'fh_application'],
        ['fh_environment_acl', 'environment_id', 'fh_environment'],
      ] as const) {
        await create(table, (tb, k) => {
          let t = tb
            .addColumn('group_id', k.t.id, (c) => c.notNull())
            .addColumn(target, k.t.id, (c) => c.notNull())
            .addColumn('roles', 'varchar(255)', (c) => c.notNull())
            .addPrimaryKeyConstraint(`pk_${table.slice(3)}`, ['group_id', target]);
          t = k.fk(t, 'group_id', 'fh_group', { onDelete: 'cascade' });
          return k.fk(t, target, roles, { onDelete: 'cascade' });
        });
        await index(db, `ix_${table.slice(3)}_target`, table, [target]);
      }

      await create('fh_feature', (tb, k) => {
        let t = tb
          .addColumn('id', k.t.id, (c) => c.primaryKey())
          .addColumn('application_id', k.t.id, (c) => c.notNull())
          .addColumn('feature_key', 'varchar(255)', (c) => c.notNull())
          .addColumn('name', 'varchar(255)', (c) => c.notNull())
          .addColumn('alias', 'varchar(255)')
          .addColumn('value_type', 'varchar(10)', (c) => c.notNull())
          .addColumn('description', 'varchar(400)')
          .addColumn('link', 'varchar(600)')
          .addColumn('meta_data', k.t.longText)
          .addColumn('secret', 'boolean', (c) => c.notNull());
        t = k
          .archivable(t)
          .addUniqueConstraint('uq_feature_key', ['application_id', 'feature_key', 'archive_key'])
          .addCheckConstraint(
            'ck_feature_value_type',
            sql`value_type in ('BOOLEAN','STRING','NUMBER','JSON')`,
          );
        return k.fk(t, 'application_id', 'fh_application');
      });

      await create('fh_feature_value', (tb, k) => {
        let t = tb
          .addColumn('id', k.t.id, (c) => c.primaryKey())
          .addColumn('environment_id', k.t.id, (c) => c.notNull())
          .addColumn('feature_id', k.t.id, (c) => c.notNull())
          .addColumn('default_value', k.t.longText)
          .addColumn('locked', 'boolean', (c) => c.notNull())
          .addColumn('retired', 'boolean', (c) => c.notNull())
          .addColumn('rollout_strategies', k.t.longText, (c) => c.notNull())
          .addColumn('who_updated', k.t.id);
        t = k.versioned(t).addUniqueConstraint('uq_feature_value', ['environment_id', 'feature_id']);
        t = k.fk(t, 'environment_id', 'fh_environment');
        t = k.fk(t, 'feature_id', 'fh_feature');
        return k.fk(t, 'who_updated', 'fh_person');
      });
      await index(db, 'ix_feature_value_feature', 'fh_feature_value', ['feature_id']);

      await create('fh_feature_value_version', (tb, k) => {
        let t = tb
          .addColumn('feature_value_id', k.t.id, (c) => c.notNull())
          .addColumn('version', 'bigint', (c) => c.notNull())
          .addColumn('version_from', 'bigint')
          .addColumn('feature_id', k.t.id, (c) => c.notNull())
          .addColumn('who_updated', k.t.id)
          .addColumn('default_value', k.t.longText)
          .addColumn('locked', 'boolean', (c) => c.notNull())
          .addColumn('retired', 'boolean', (c) => c.notNull())
          .addColumn('rollout_strategies', k.t.longText, (c) => c.notNull())
          .addColumn('shared_strategies', k.t.longText, (c) => c.notNull())
          .addColumn('when_created', k.t.timestamp, (c) => c.notNull())
          .addPrimaryKeyConstraint('pk_feature_value_version', ['feature_value_id', 'version']);
        t = k.fk(t, 'feature_value_id', 'fh_feature_value', { onDelete: 'cascade' });
        return k.fk(t, 'who_updated', 'fh_person');
      });
      await index(db, 'ix_feature_value_version_feature', 'fh_feature_value_version', ['feature_id']);

      await create('fh_application_strategy', (tb, k) => {
        let t = tb
          .addColumn('id', k.t.id, (c) => c.primaryKey())
          .addColumn('application_id', k.t.id, (c) => c.notNull())
          .addColumn('name', 'varchar(150)', (c) => c.notNull())
          .addColumn('code', 'varchar(20)', (c) => c.notNull())
          .addColumn('strategy', k.t.longText, (c) => c.notNull())
          .addColumn('who_changed', k.t.id);
        t = k
          .archivable(t)
          .addUniqueConstraint('uq_application_strategy_name', ['application_id', 'name', 'archive_key'])
          .addUniqueConstraint('uq_application_strategy_code', ['application_id', 'code', 'archive_key']);
        t = k.fk(t, 'application_id', 'fh_application');
        return k.fk(t, 'who_changed', 'fh_person');
      });

      await create('fh_feature_value_strategy', (tb, k) => {
        let t = tb
          .addColumn('feature_value_id', k.t.id, (c) => c.notNull())
          .addColumn('strategy_id', k.t.id, (c) => c.notNull())
          .addColumn('position', 'integer', (c) => c.notNull())
          .addColumn('enabled', 'boolean', (c) => c.notNull())
          .addColumn('value', k.t.longText)
          .addPrimaryKeyConstraint('pk_feature_value_strategy', ['feature_value_id', 'strategy_id']);
        t = k.fk(t, 'feature_value_id', 'fh_feature_value', { onDelete: 'cascade' });
        return k.fk(t, 'strategy_id', 'fh_application_strategy', { onDelete: 'cascade' });
      });
      await index(db, 'ix_feature_value_strategy_strategy', 'fh_feature_value_strategy', ['strategy_id']);

      await create('fh_feature_group', (tb, k) => {
        let t = tb
          .addColumn('id', k.t.id, (c) => c.primaryKey())
          .addColumn('application_id', k.t.id, (c) => c.notNull())
          .addColumn('environment_id', k.t.id, (c) => c.notNull())
          .addColumn('position', 'integer', (c) => c.notNull())
          .addColumn('name', 'varchar(255)', (c) => c.notNull())
          .addColumn('description', 'varchar(400)')
          .addColumn('strategies', k.t.longText, (c) => c.notNull());
        t = k
          .archivable(t)
          .addUniqueConstraint('uq_feature_group_name', ['application_id', 'name', 'archive_key'])
          .addUniqueConstraint('uq_feature_group_position', ['environment_id', 'position', 'archive_key']);
        t = k.fk(t, 'application_id', 'fh_application');
        return k.fk(t, 'environment_id', 'fh_environment');
      });

      await create('fh_feature_group_feature', (tb, k) => {
        let t = tb
          .addColumn('feature_group_id', k.t.id, (c) => c.notNull())
          .addColumn('feature_id', k.t.id, (c) => c.notNull())
          .addColumn('value', k.t.longText)
          .addPrimaryKeyConstraint('pk_feature_group_feature', ['feature_group_id', 'feature_id']);
        t = k.fk(t, 'feature_group_id', 'fh_feature_group', { onDelete: 'cascade' });
        return k.fk(t, 'feature_id', 'fh_feature', { onDelete: 'cascade' });
      });
      await index(db, 'ix_feature_group_feature_feature', 'fh_feature_group_feature', ['feature_id']);

      await create('fh_feature_filter', (tb, k) => {
        let t = tb
          .addColumn('id', k.t.id, (c) => c.primaryKey())
          .addColumn('portfolio_id', k.t.id, (c) => c.notNull())
          .addColumn('name', 'varchar(60)', (c) => c.notNull())
          .addColumn('description', 'varchar(400)')
          .addColumn('created_by', k.t.id);
        t = k.versioned(t).addUniqueConstraint('uq_feature_filter_name', ['portfolio_id', 'name']);
        t = k.fk(t, 'portfolio_id', 'fh_portfolio');
        return k.fk(t, 'created_by', 'fh_person');
      });

      await create('fh_feature_filter_feature', (tb, k) => {
        let t = tb
          .addColumn('filter_id', k.t.id, (c) => c.notNull())
          .addColumn('feature_id', k.t.id, (c) => c.notNull())
          .addPrimaryKeyConstraint('pk_feature_filter_feature', ['filter_id', 'feature_id']);
        t = k.fk(t, 'filter_id', 'fh_feature_filter', { onDelete: 'cascade' });
        return k.fk(t, 'feature_id', 'fh_feature', { onDelete: 'cascade' });
      });
      await index(db, 'ix_feature_filter_feature_feature', 'fh_feature_filter_feature', ['feature_id']);

      await create('fh_service_account', (tb, k) => {
        let t = tb
          .addColumn('id', k.t.id, (c) => c.primaryKey())
          .addColumn('portfolio_id', k.t.id, (c) => c.notNull())
          .addColumn('name', 'varchar(100)', (c) => c.notNull())
          .addColumn('description', 'varchar(400)')
          .addColumn('api_key_server', 'varchar(100)', (c) => c.notNull())
          .addColumn('api_key_client', 'varchar(100)', (c) => c.notNull())
          .addColumn('sdk_person_id', k.t.id)
          .addColumn('created_by', k.t.id)
          .addColumn('changed_by', k.t.id)
          .addColumn('when_unpublished', k.t.timestamp);
        t = k
          .archivable(t)
          .addUniqueConstraint('uq_service_account_name', ['portfolio_id', 'name', 'archive_key'])
          .addUniqueConstraint('uq_service_account_server_key', ['api_key_server'])
          .addUniqueConstraint('uq_service_account_client_key', ['api_key_client']);
        t = k.fk(t, 'portfolio_id', 'fh_portfolio');
        t = k.fk(t, 'sdk_person_id', 'fh_person');
        t = k.fk(t, 'created_by', 'fh_person');
        return k.fk(t, 'changed_by', 'fh_person');
      });

      await create('fh_service_account_filter', (tb, k) => {
        let t = tb
          .addColumn('filter_id', k.t.id, (c) => c.notNull())
          .addColumn('service_account_id', k.t.id, (c) => c.notNull())
          .addPrimaryKeyConstraint('pk_service_account_filter', ['filter_id', 'service_account_id']);
        t = k.fk(t, 'filter_id', 'fh_feature_filter', { onDelete: 'cascade' });
        return k.fk(t, 'service_account_id', 'fh_service_account', { onDelete: 'cascade' });
      });
      await index(db, 'ix_service_account_filter_sa', 'fh_service_account_filter', ['service_account_id']);

      await create('fh_service_account_env', (tb, k) => {
        let t = tb
          .addColumn('service_account_id', k.t.id, (c) => c.notNull())
          .addColumn('environment_id', k.t.id, (c) => c.notNull())
          .addColumn('roles', 'varchar(200)', (c) => c.notNull())
          .addColumn('when_created', k.t.timestamp, (c) => c.notNull())
          .addColumn('when_updated', k.t.timestamp, (c) => c.notNull())
          .addPrimaryKeyConstraint('pk_service_account_env', ['service_account_id', 'environment_id']);
        t = k.fk(t, 'service_account_id', 'fh_service_account', { onDelete: 'cascade' });
        return k.fk(t, 'environment_id', 'fh_environment', { onDelete: 'cascade' });
      });
      await index(db, 'ix_service_account_env_env', 'fh_service_account_env', ['environment_id']);

      await create('fh_webhook_result', (tb, k) =>
        k.fk(
          tb
            .addColumn('id', k.t.id, (c) => c.primaryKey())
            .addColumn('environment_id', k.t.id, (c) => c.notNull())
            .addColumn('when_sent', k.t.timestamp, (c) => c.notNull())
            .addColumn('status', 'integer', (c) => c.notNull())
            .addColumn('method', 'varchar(10)', (c) => c.notNull())
            .addColumn('cloud_event_type', 'varchar(255)')
            .addColumn('webhook_type', 'varchar(255)')
            .addColumn('body', k.t.longText, (c) => c.notNull()),
          'environment_id',
          'fh_environment',
          { onDelete: 'cascade' },
        ),
      );
      await index(db, 'ix_webhook_result_env', 'fh_webhook_result', ['environment_id', 'when_sent']);

      await create('fh_tracked_event', (tb, k) =>
        k.fk(
          k.versioned(
            tb
              .addColumn('id', k.t.id, (c) => c.primaryKey())
              .addColumn('organisation_id', k.t.id, (c) => c.notNull())
              .addColumn('link_id', k.t.id, (c) => c.notNull())
              .addColumn('link_type', 'varchar(10)', (c) => c.notNull())
              .addColumn('event_type', 'varchar(255)', (c) => c.notNull())
              .addColumn('status', 'integer')
              .addColumn('data', k.t.longText, (c) => c.notNull())
              .addColumn('metadata', k.t.longText)
              .addColumn('responses', k.t.longText),
          ),
          'organisation_id',
          'fh_organisation',
        ),
      );
      await index(db, 'ix_tracked_event_link', 'fh_tracked_event', ['link_id', 'event_type', 'when_created']);

      await create('fh_system_config', (tb, k) => {
        let t = k.versioned(
          tb
            .addColumn('organisation_id', k.t.id, (c) => c.notNull())
            .addColumn('code', 'varchar(100)', (c) => c.notNull())
            .addColumn('value', k.t.longText)
            .addColumn('who_updated', k.t.id)
            .addPrimaryKeyConstraint('pk_system_config', ['organisation_id', 'code']),
        );
        t = k.fk(t, 'organisation_id', 'fh_organisation');
        return k.fk(t, 'who_updated', 'fh_person');
      });

      await create('fh_user_state', (tb, k) =>
        k.fk(
          k
            .versioned(
              tb
                .addColumn('id', k.t.id, (c) => c.primaryKey())
                .addColumn('person_id', k.t.id, (c) => c.notNull())
                .addColumn('state_type', 'varchar(40)', (c) => c.notNull())
                .addColumn('scope_id', k.t.id, (c) => c.notNull())
                .addColumn('data', k.t.longText, (c) => c.notNull()),
            )
            .addUniqueConstraint('uq_user_state', ['person_id', 'state_type', 'scope_id']),
          'person_id',
          'fh_person',
          { onDelete: 'cascade' },
        ),
      );
    },
  };
}

/**
 * The durable outbox of webhook and Slack deliveries (ADR 0010): one row per event, written in the
 * transaction of the change. `seq` orders the events; `id` is the CloudEvent id, stable across retries.
 */
function webhooksOutbox(dialect: DialectName): Migration {
  return {
    async up(db) {
      const seqType = dialect === 'postgres' ? 'bigserial' : dialect === 'mysql' ? 'bigint' : 'integer';
      await createTable(db, dialect, 'fh_webhook_outbox', (tb, k) =>
        tb
          .addColumn('seq', seqType, (c) =>
            dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
          )
          .addColumn('id', k.t.id, (c) => c.notNull().unique())
          .addColumn('environment_id', k.t.id, (c) => c.notNull())
          .addColumn('event_type', 'varchar(100)', (c) => c.notNull())
          .addColumn('feature_keys', k.t.longText, (c) => c.notNull())
          .addColumn('changes', k.t.longText, (c) => c.notNull())
          .addColumn('who_changed', k.t.id)
          .addColumn('payload', k.t.longText)
          .addColumn('status', 'varchar(20)', (c) => c.notNull())
          .addColumn('attempts', 'integer', (c) => c.notNull())
          .addColumn('next_attempt_at', k.t.timestamp, (c) => c.notNull())
          .addColumn('lease_owner', 'varchar(64)')
          .addColumn('lease_until', k.t.timestamp)
          .addColumn('last_status', 'integer')
          .addColumn('when_created', k.t.timestamp, (c) => c.notNull())
          .addColumn('when_delivered', k.t.timestamp),
      );
      await index(db, 'ix_webhook_outbox_pending', 'fh_webhook_outbox', ['status', 'environment_id', 'seq']);
    },
  };
}

/**
 * Feature groups (docs/feature-groups.md): names are unique per environment (not per application), and a group
 * remembers who changed it last. Nothing wrote these tables before, so they are recreated rather than altered
 * (SQLite cannot drop a unique constraint).
 */
function featureGroups(dialect: DialectName): Migration {
  return {
    async up(db) {
      await db.schema.dropTable('fh_feature_group_feature').execute();
      await db.schema.dropTable('fh_feature_group').execute();
      await createTable(db, dialect, 'fh_feature_group', (tb, k) => {
        let t = tb
          .addColumn('id', k.t.id, (c) => c.primaryKey())
          .addColumn('application_id', k.t.id, (c) => c.notNull())
          .addColumn('environment_id', k.t.id, (c) => c.notNull())
          .addColumn('position', 'integer', (c) => c.notNull())
          .addColumn('name', 'varchar(255)', (c) => c.notNull())
          .addColumn('description', 'varchar(400)')
          .addColumn('strategies', k.t.longText, (c) => c.notNull())
          .addColumn('who_changed', k.t.id);
        t = k
          .archivable(t)
          .addUniqueConstraint('uq_feature_group_env_name', ['environment_id', 'name', 'archive_key'])
          .addUniqueConstraint('uq_feature_group_env_position', [
            'environment_id',
            'position',
            'archive_key',
          ]);
        t = k.fk(t, 'application_id', 'fh_application');
        t = k.fk(t, 'environment_id', 'fh_environment');
        return k.fk(t, 'who_changed', 'fh_person');
      });
      await createTable(db, dialect, 'fh_feature_group_feature', (tb, k) => {
        let t = tb
          .addColumn('feature_group_id', k.t.id, (c) => c.notNull())
          .addColumn('feature_id', k.t.id, (c) => c.notNull())
          .addColumn('value', k.t.longText)
          .addPrimaryKeyConstraint('pk_feature_group_feature', ['feature_group_id', 'feature_id']);
        t = k.fk(t, 'feature_group_id', 'fh_feature_group', { onDelete: 'cascade' });
        return k.fk(t, 'feature_id', 'fh_feature', { onDelete: 'cascade' });
      });
      await index(db, 'ix_feature_group_feature_feature', 'fh_feature_group_feature', ['feature_id']);
    },
  };
}

/** All migrations, by name; names sort in the order they must run. Never edit one that has shipped. */
export function migrationsFor(dialect: DialectName): Record<string, Migration> {
  return {
    '0001_domain_schema': domainSchema(dialect),
    '0002_webhooks_outbox': webhooksOutbox(dialect),
    '0003_feature_groups': featureGroups(dialect),
  };
}

export function migrationProvider(dialect: DialectName): MigrationProvider {
  return { getMigrations: async () => migrationsFor(dialect) };
}

/**
 * Changes whenever a migration is added or edited; test helpers key template databases on it so a
 * stale template is never reused.
 */
export function schemaFingerprint(): string {
  const hash = createHash('sha256');
  for (const [name, migration] of Object.entries(migrationsFor('postgres'))) {
    hash.update(name).update(migration.up.toString());
  }
  return hash.digest('hex').slice(0, 12);
}
