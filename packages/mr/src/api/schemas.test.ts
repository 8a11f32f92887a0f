import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mrSchemas, type Person, type ServiceAccount } from '@fh/contracts/admin-api';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import type { TSchema } from 'typebox';
import { API_126_SCHEMAS } from '../testing/openapi-compat.ts';
import { loadUpstreamMrApi } from '../testing/upstream-api.ts';

function compiler() {
  const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
  addFormats(ajv);
  for (const schema of Object.values(mrSchemas) as TSchema[]) ajv.addSchema(schema);
  return ajv;
}

describe('component schemas', () => {
  it('are the 115 upstream components of 1.2.5 and the 13 of 1.2.6, each registered under its own name', (t) => {
    const entries = Object.entries(mrSchemas) as Array<[string, TSchema & { $id?: string }]>;
    assert.equal(entries.length, 115 + API_126_SCHEMAS.length);
    for (const [name, schema] of entries) assert.equal(schema.$id, name);
    const upstream = loadUpstreamMrApi();
    if (upstream.skip !== false) {
      t.skip(upstream.skip);
      return;
    }
    assert.deepEqual(
      Object.keys(mrSchemas)
        .filter((name) => !(API_126_SCHEMAS as readonly string[]).includes(name))
        .sort(),
      Object.keys(upstream.document.components?.schemas ?? {}).sort(),
    );
  });

  it('compile together in strict ajv, every reference resolving', () => {
    const ajv = compiler();
    for (const name of Object.keys(mrSchemas)) assert.ok(ajv.getSchema(name), name);
  });

  it('describe the mutually recursive shapes in both directions', () => {
    const ajv = compiler();
    const person: Person = {
      id: { id: '0b7e1f52-5d0c-4a43-9b1e-2f6a7c8d9e01' },
      name: 'Ann',
      groups: [{ id: '0b7e1f52-5d0c-4a43-9b1e-2f6a7c8d9e02', name: 'Admins', members: [{ name: 'Bob' }] }],
    };
    assert.equal(ajv.validate('Person', person), true, ajv.errorsText());
    const account: ServiceAccount = {
      id: '0b7e1f52-5d0c-4a43-9b1e-2f6a7c8d9e03',
      name: 'sdk',
      permissions: [
        {
          environmentId: '0b7e1f52-5d0c-4a43-9b1e-2f6a7c8d9e04',
          permissions: ['READ'],
          serviceAccount: null,
        },
      ],
    };
    assert.equal(ajv.validate('ServiceAccount', account), true, ajv.errorsText());
    assert.equal(
      ajv.validate('ServiceAccount', { ...account, permissions: [{ permissions: ['ROOT'] }] }),
      false,
    );
  });
});
