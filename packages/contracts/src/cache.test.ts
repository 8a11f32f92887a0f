import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Value } from 'typebox/value';
import {
  CacheServiceAccountSchema,
  Dacha2EnvironmentSchema,
  DachaKeyDetailsResponseSchema,
  DachaNATSResponseSchema,
  DachaPermissionResponseSchema,
  DachaStructureResponseSchema,
  PublishEnvironmentSchema,
  PublishFeatureValuesSchema,
  PublishServiceAccountSchema,
} from './index.ts';

const envId = '0f8b7b7e-8d4b-4d7e-9d1c-3b1a2f0e9c11';
const featureWithValue = {
  feature: { id: 'f-1', key: 'COLOUR', valueType: 'STRING', version: 2, filters: null },
  fp: { category: 'ui' },
  value: {
    id: 'fv-1',
    key: 'COLOUR',
    locked: false,
    value: 'red',
    version: 5,
    retired: false,
    personIdWhoChanged: 'p-1',
    rolloutStrategies: [
      { id: 's1', percentage: 200000, attributes: [], value: 'blue' },
      {
        id: '@abc',
        attributes: [
          { conditional: 'EQUALS', fieldName: 'country', type: 'STRING', values: ['new_zealand'] },
        ],
        value: 'nz',
      },
    ],
  },
};
const featureWithoutValue = {
  feature: { id: 'f-2', key: 'FLAG', valueType: 'BOOLEAN', version: 1 },
  value: null,
};

const publishEnvironment = {
  environment: { id: envId, version: 4, eInf: { 'mgmt.cacheControl': 'max-age=10' }, wInfo: null },
  organizationId: 'o',
  portfolioId: 'p',
  applicationId: 'a',
  featureValues: [featureWithValue, featureWithoutValue],
  serviceAccounts: ['sa-1'],
  action: 'UPDATE',
  count: 3,
};

const serviceAccount = {
  id: 'sa-1',
  version: 1,
  apiKeyClientSide: 'abc*def',
  apiKeyServerSide: 'abcdef',
  permissions: [{ environmentId: envId, permissions: ['READ', 'CHANGE_VALUE'] }],
};

describe('cache payload schemas', () => {
  it('accept a full environment with valued and unvalued features', () => {
    assert.ok(Value.Check(PublishEnvironmentSchema, publishEnvironment));
  });

  it('reject an environment message without action or count', () => {
    const { action: _a, ...noAction } = publishEnvironment;
    const { count: _c, ...noCount } = publishEnvironment;
    assert.equal(Value.Check(PublishEnvironmentSchema, noAction), false);
    assert.equal(Value.Check(PublishEnvironmentSchema, noCount), false);
    assert.equal(Value.Check(PublishEnvironmentSchema, { ...publishEnvironment, action: 'UPSERT' }), false);
  });

  it('reject a feature value with an object as value or a cached strategy without attributes', () => {
    const objectValue = { ...featureWithValue, value: { ...featureWithValue.value, value: { a: 1 } } };
    assert.equal(
      Value.Check(PublishFeatureValuesSchema, {
        features: [{ action: 'UPDATE', environmentId: envId, feature: objectValue }],
      }),
      false,
    );
    const noAttrs = {
      ...featureWithValue,
      value: { ...featureWithValue.value, rolloutStrategies: [{ id: 's', percentage: 5 }] },
    };
    assert.equal(
      Value.Check(PublishFeatureValuesSchema, {
        features: [{ action: 'UPDATE', environmentId: envId, feature: noAttrs }],
      }),
      false,
    );
  });

  it('accept feature value changes, including deletes', () => {
    assert.ok(
      Value.Check(PublishFeatureValuesSchema, {
        features: [
          { action: 'UPDATE', environmentId: envId, feature: featureWithValue },
          { action: 'DELETE', environmentId: envId, feature: featureWithoutValue },
        ],
      }),
    );
    assert.equal(
      Value.Check(PublishFeatureValuesSchema, {
        features: [{ action: 'UPDATE', feature: featureWithValue }],
      }),
      false,
    );
  });

  it('accept service accounts and EMPTY markers without an account', () => {
    assert.ok(Value.Check(PublishServiceAccountSchema, { serviceAccount, action: 'CREATE', count: 1 }));
    assert.ok(Value.Check(PublishServiceAccountSchema, { action: 'EMPTY', count: 0 }));
    assert.equal(
      Value.Check(CacheServiceAccountSchema, {
        ...serviceAccount,
        permissions: [{ environmentId: envId, permissions: ['WRITE'] }],
      }),
      false,
    );
    assert.equal(
      Value.Check(CacheServiceAccountSchema, { ...serviceAccount, apiKeyServerSide: 'x'.repeat(401) }),
      false,
    );
  });
});

describe('Dacha API schemas', () => {
  it('accept the key details Edge reads, and an empty answer', () => {
    assert.ok(
      Value.Check(DachaKeyDetailsResponseSchema, {
        etag: 'abc1',
        organizationId: 'o',
        portfolioId: 'p',
        applicationId: 'a',
        serviceKeyId: 'sa-1',
        environmentInfo: {},
        extendedDataAllowed: false,
        features: [featureWithValue, featureWithoutValue],
      }),
    );
    assert.ok(Value.Check(DachaKeyDetailsResponseSchema, {}));
    assert.equal(Value.Check(DachaKeyDetailsResponseSchema, { features: [{ value: null }] }), false);
  });

  it('require roles and the feature in a permission answer', () => {
    assert.ok(
      Value.Check(DachaPermissionResponseSchema, {
        roles: ['READ', 'LOCK'],
        feature: featureWithValue,
        serviceKeyId: 'sa-1',
      }),
    );
    assert.equal(Value.Check(DachaPermissionResponseSchema, { feature: featureWithValue }), false);
  });

  it('require all three parents in a structure answer', () => {
    assert.ok(
      Value.Check(DachaStructureResponseSchema, {
        organizationId: 'o',
        portfolioId: 'p',
        applicationId: 'a',
      }),
    );
    assert.equal(Value.Check(DachaStructureResponseSchema, { organizationId: 'o', portfolioId: 'p' }), false);
  });

  it('accept bus replies and the lazy-cache environment answer', () => {
    assert.ok(
      Value.Check(DachaNATSResponseSchema, { status: 200, featuresResponse: { etag: 'x', features: [] } }),
    );
    assert.equal(Value.Check(DachaNATSResponseSchema, { featuresResponse: {} }), false);
    assert.ok(Value.Check(Dacha2EnvironmentSchema, { env: publishEnvironment }));
  });
});
