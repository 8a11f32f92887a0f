import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DatabaseConfigError, parseDatabaseUrl, redactDatabaseUrl } from './database-url.ts';

describe('parseDatabaseUrl', () => {
  it('reads SQLite files and in-memory databases', () => {
    assert.deepEqual(parseDatabaseUrl('sqlite:./data/fh.db'), {
      dialect: 'sqlite',
      filename: './data/fh.db',
    });
    assert.deepEqual(parseDatabaseUrl('sqlite:/var/fh/fh.db'), {
      dialect: 'sqlite',
      filename: '/var/fh/fh.db',
    });
    assert.deepEqual(parseDatabaseUrl('sqlite:///var/fh/fh.db'), {
      dialect: 'sqlite',
      filename: '/var/fh/fh.db',
    });
    assert.deepEqual(parseDatabaseUrl('sqlite::memory:'), { dialect: 'sqlite', filename: ':memory:' });
  });

  it('reads PostgreSQL URLs with either scheme, credentials, port and parameters', () => {
    assert.deepEqual(parseDatabaseUrl('postgres://fh:s%40cret@db.example:6543/featurehub?sslmode=require'), {
      dialect: 'postgres',
      host: 'db.example',
      port: 6543,
      database: 'featurehub',
      user: 'fh',
      password: 's@cret',
      params: { sslmode: 'require' },
    });
    const p = parseDatabaseUrl('postgresql://localhost/fh');
    assert.equal(p.dialect, 'postgres');
    assert.equal(p.dialect === 'postgres' && p.port, 5432);
    assert.equal(p.dialect === 'postgres' && p.user, undefined);
  });

  it('reads MySQL and MariaDB URLs, and tolerates upstream jdbc: prefixes', () => {
    for (const url of [
      'mysql://root@127.0.0.1/fh',
      'mariadb://root@127.0.0.1:3306/fh',
      'jdbc:mysql://root@127.0.0.1/fh',
    ]) {
      const m = parseDatabaseUrl(url);
      assert.equal(m.dialect, 'mysql');
      assert.equal(m.dialect === 'mysql' && m.port, 3306);
      assert.equal(m.dialect === 'mysql' && m.database, 'fh');
    }
    assert.equal(parseDatabaseUrl('jdbc:postgresql://h/fh').dialect, 'postgres');
  });

  it('rejects an unsupported scheme with a message naming the supported ones', () => {
    assert.throws(
      () => parseDatabaseUrl('oracle://scott:tiger@db/orcl'),
      (err: unknown) =>
        err instanceof DatabaseConfigError &&
        err.code === 'invalid_database_url' &&
        /unsupported database URL "oracle:\/\/scott:\*\*\*@db\/orcl"/.test(err.message) &&
        /postgres:\/\//.test(err.message),
    );
    assert.throws(() => parseDatabaseUrl('jdbc:h2:file:/db/party'), DatabaseConfigError);
    assert.throws(() => parseDatabaseUrl('not a url'), DatabaseConfigError);
  });

  it('rejects server URLs without a database name', () => {
    assert.throws(() => parseDatabaseUrl('postgres://localhost'), /must name one database/);
    assert.throws(() => parseDatabaseUrl('mysql://localhost/'), /must name one database/);
  });

  it('redacts passwords for logging', () => {
    assert.equal(redactDatabaseUrl('postgres://u:p@h/db'), 'postgres://u:***@h/db');
    assert.equal(redactDatabaseUrl('sqlite:/x.db'), 'sqlite:/x.db');
  });
});
