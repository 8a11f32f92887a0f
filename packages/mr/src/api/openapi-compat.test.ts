import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { allOperations } from '@fh/contracts/admin-api';
import {
  API_126_ADDITIONS,
  buildMrApiDocument,
  compareDocuments,
  inScopeOperationIds,
} from '../testing/openapi-compat.ts';
import { loadUpstreamMrApi } from '../testing/upstream-api.ts';
import type { OpenApiDocument } from './openapi-document.ts';

const { document: upstream, skip } = loadUpstreamMrApi();

const OUT_OF_SCOPE_TAGS = ['CacheService', 'TrackEventsService'];

function upstreamOperations(doc: OpenApiDocument): Array<{ id: string; tags: string[] }> {
  return Object.values(doc.paths).flatMap((item) =>
    Object.values(item)
      .filter(
        (op): op is { operationId: string; tags?: string[] } =>
          typeof (op as { operationId?: unknown })?.operationId === 'string',
      )
      .map((op) => ({ id: op.operationId, tags: op.tags ?? [] })),
  );
}

/** The object at a path inside a parsed document, for editing a copy of it. */
function node(root: unknown, ...path: string[]): Record<string, unknown> {
  let current = root;
  for (const key of path) current = (current as Record<string, unknown>)[key];
  return current as Record<string, unknown>;
}

describe('compatibility with the upstream admin API (mr-api 1.2.5)', { skip }, () => {
  let ours: OpenApiDocument;
  const theirs = upstream as OpenApiDocument;

  before(async () => {
    ours = await buildMrApiDocument();
  });

  it('lists every upstream operation in the operation table, in scope unless its group is left for later', () => {
    const table = new Map<string, { inScope: boolean }>(
      allOperations()
        .filter((o) => o.since === undefined)
        .map((o) => [o.operationId, o]),
    );
    const listed = upstreamOperations(theirs);
    assert.equal(listed.length, 97);
    assert.deepEqual(listed.map((o) => o.id).sort(), [...table.keys()].sort());
    for (const { id, tags } of listed) {
      const outOfScope = tags.some((t) => OUT_OF_SCOPE_TAGS.includes(t));
      assert.equal(table.get(id)?.inScope, !outOfScope, id);
    }
  });

  it('matches upstream for every in-scope operation and every component schema, but for what API 1.2.6 adds', () => {
    const differences = compareDocuments(ours, theirs, inScopeOperationIds());
    assert.deepEqual([...differences].sort(), [...API_126_ADDITIONS].sort(), `\n${differences.join('\n')}`);
  });

  it('reports a changed contract, line by line', () => {
    const changed = structuredClone(theirs);
    const schemas = ['components', 'schemas'];
    node(changed, ...schemas, 'CreatePortfolio', 'properties', 'name')['maxLength'] = 100;
    (node(changed, ...schemas, 'RoleType')['enum'] as string[]).push('ADMIN');
    node(changed, ...schemas, 'Person', 'properties', 'groups')['items'] = {
      $ref: '#/components/schemas/Portfolio',
    };
    node(changed, ...schemas, 'FeatureValue')['required'] = ['key'];
    delete node(changed, ...schemas, 'Feature', 'properties')['alias'];
    (node(changed, 'paths', '/mr-api/portfolio', 'get')['parameters'] as unknown[]).push({
      name: 'page',
      in: 'query',
      schema: { type: 'integer' },
    });
    delete node(changed, 'paths', '/mr-api/logout', 'get')['security'];
    const differences = compareDocuments(ours, changed, inScopeOperationIds());
    for (const expected of [
      'components.schemas.CreatePortfolio.name: maxLength ours 200, upstream 100',
      'components.schemas.RoleType: enum ours [CHANGE_VALUE, EXTENDED_DATA, LOCK, READ, UNLOCK], upstream [ADMIN, CHANGE_VALUE, EXTENDED_DATA, LOCK, READ, UNLOCK]',
      'components.schemas.Person.groups[]: refers to Group in ours, Portfolio upstream',
      'components.schemas.FeatureValue: required ours [key, locked], upstream [key]',
      'components.schemas.Feature.alias: property not upstream',
      'findPortfolios: parameter query:page missing',
      'logout: bearer token required by us, upstream the opposite',
    ]) {
      assert.ok(differences.includes(expected), `expected "${expected}" in\n${differences.join('\n')}`);
    }
  });
});
