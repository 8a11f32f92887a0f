import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('gives each role its default port and the embedded SQLite database', () => {
    assert.equal(loadConfig('party', [], {}).port, 8085);
    assert.equal(loadConfig('mr', [], {}).port, 8085);
    assert.equal(loadConfig('edge', [], {}).port, 8553);
    assert.equal(loadConfig('edge-rest', [], {}).port, 8553);
    assert.equal(loadConfig('dacha', [], {}).port, 8902);
    assert.equal(loadConfig('party', [], {}).database.url, 'sqlite:./data/featurehub.db');
    assert.equal(loadConfig('party', [], {}).cacheName, 'default');
    assert.equal(loadConfig('party', [], {}).logLevel, 'info');
  });

  it('leaves the party server without NATS unless NATS_URL is set, and points the other roles at the local server', () => {
    assert.equal(loadConfig('party', [], {}).natsUrls, undefined);
    assert.deepEqual(loadConfig('edge', [], {}).natsUrls, ['nats://127.0.0.1:4222']);
    assert.deepEqual(loadConfig('party', [], { NATS_URL: 'nats://a:4222, b:4223' }).natsUrls, [
      'nats://a:4222',
      'nats://b:4223',
    ]);
  });

  it('lets flags win over environment variables', () => {
    const c = loadConfig('mr', ['--port', '9001', '--log-level=debug'], { PORT: '9000', LOG_LEVEL: 'warn' });
    assert.equal(c.port, 9001);
    assert.equal(c.logLevel, 'debug');
  });

  it('reads a Java-style properties file with FeatureHub key names, environment variables winning', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fh-config-'));
    const file = join(dir, 'app.properties');
    writeFileSync(
      file,
      [
        '# FeatureHub settings',
        'server.port=8999',
        'db.url=jdbc:postgresql://db.example:5432/featurehub',
        'db.username=fh',
        'db.password: s3cret',
        'nats.urls=nats://n1:4222,nats://n2:4222',
        'cache.name = blue',
      ].join('\n'),
    );
    const c = loadConfig('mr', ['--config', file], { CACHE_NAME: 'green' });
    assert.equal(c.port, 8999);
    assert.equal(c.database.url, 'postgres://db.example:5432/featurehub');
    assert.equal(c.database.username, 'fh');
    assert.equal(c.database.password, 's3cret');
    assert.deepEqual(c.natsUrls, ['nats://n1:4222', 'nats://n2:4222']);
    assert.equal(c.cacheName, 'green');
  });

  it('keeps every upstream-named setting of the file for features with many keys, dotted environment variables winning', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fh-config-'));
    const file = join(dir, 'app.properties');
    writeFileSync(file, ['oauth2.providers=oauth2-google', 'auth.disable-login=false'].join('\n'));
    const c = loadConfig('mr', ['--config', file], { 'auth.disable-login': 'true', AUTH_OTHER: 'x' });
    assert.equal(c.properties['oauth2.providers'], 'oauth2-google');
    assert.equal(c.properties['auth.disable-login'], 'true');
    assert.equal(c.properties['AUTH_OTHER'], undefined, 'only dotted names are upstream settings');
    assert.ok(Object.isFrozen(c.properties));
  });

  it('takes the site URL people reach the UI at, without a trailing slash', () => {
    assert.equal(
      loadConfig('mr', [], { SITE_URL: 'https://flags.example.com/' }).siteUrl,
      'https://flags.example.com',
    );
    assert.equal(loadConfig('mr', [], {}).siteUrl, undefined);
  });

  it("reads upstream's sdk.feature.properties (extended data) from the environment, a flag or the properties file", () => {
    const template = 'appName={{{feature.parentApplication.name}}},category={{{metadata.category}}}';
    assert.equal(loadConfig('party', [], {}).featureProperties, undefined);
    assert.equal(loadConfig('mr', [], { SDK_FEATURE_PROPERTIES: template }).featureProperties, template);
    assert.equal(loadConfig('mr', [`--sdk-feature-properties=${template}`], {}).featureProperties, template);
    const file = join(mkdtempSync(join(tmpdir(), 'fh-props-')), 'app.properties');
    writeFileSync(file, `sdk.feature.properties=${template}\n`);
    assert.equal(loadConfig('edge-rest', ['--config', file], {}).featureProperties, template);
  });

  it('freezes the configuration', () => {
    const c = loadConfig('party', [], {});
    assert.ok(Object.isFrozen(c));
    assert.ok(Object.isFrozen(c.database));
  });

  const bad: Array<[string, Record<string, string>, string[], RegExp]> = [
    ['a port that is not a number', { PORT: 'abc' }, [], /^PORT: "abc" is not a port number/],
    ['a port out of range', { PORT: '70000' }, [], /^PORT: /],
    ['an unsupported database', { DB_URL: 'oracle://x' }, [], /^DB_URL: unsupported database "oracle:\/\/x"/],
    [
      'a database URL without a database name',
      { DB_URL: 'postgres://localhost:5432' },
      [],
      /^DB_URL: .*names no database/,
    ],
    ['an unknown log level', { LOG_LEVEL: 'loud' }, [], /^LOG_LEVEL: "loud" is not one of/],
    ['a bad cache name', { CACHE_NAME: 'a b' }, [], /^CACHE_NAME: /],
    ['a site URL that is not http(s)', { SITE_URL: 'ftp://x' }, [], /^SITE_URL: /],
    ['a bad NATS URL', { NATS_URL: 'http://x:1' }, [], /^NATS_URL: /],
    ['an unknown flag', {}, ['--colour', 'red'], /^--colour: unknown flag/],
    ['a flag without a value', {}, ['--port'], /^--port: needs a value/],
    ['a bad flag value', {}, ['--port', '-1'], /^--port: needs a value|^--port: /],
  ];
  for (const [what, env, argv, message] of bad) {
    it(`rejects ${what} naming the setting`, () => {
      assert.throws(
        () => loadConfig('party', argv, env),
        (e: unknown) => e instanceof ConfigError && message.test(e.message),
      );
    });
  }
});

describe('cache settings', () => {
  it('default to a 2 s election window and a 10 s catch-up, and read CACHE_TIMEOUT_MS / CACHE_CATCH_UP_SECONDS', () => {
    assert.deepEqual(loadConfig('dacha', [], {}).cache, { timeoutMs: 2000, catchUpSeconds: 10 });
    assert.deepEqual(
      loadConfig('dacha', [], { CACHE_TIMEOUT_MS: '300', CACHE_CATCH_UP_SECONDS: '1' }).cache,
      { timeoutMs: 300, catchUpSeconds: 1 },
    );
    assert.throws(() => loadConfig('dacha', [], { CACHE_TIMEOUT_MS: '5' }), /CACHE_TIMEOUT_MS/);
  });
});
