import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { buildMrApiDocument } from '../testing/openapi-compat.ts';
import type { OpenApiDocument } from './openapi-document.ts';
import { validateResponse } from './response-validator.ts';

const ID = '0b7e1f52-5d0c-4a43-9b1e-2f6a7c8d9e01';

describe('validateResponse', () => {
  let doc: OpenApiDocument;
  before(async () => {
    doc = await buildMrApiDocument();
  });

  it('accepts a body that matches the response schema, nested references and nulls included', () => {
    const portfolio = {
      id: ID,
      name: 'Fleet',
      description: null,
      version: 3,
      createdBy: null,
      whenCreated: '2024-05-01T10:00:00.000Z',
      groups: [
        { id: ID, name: 'Fleet Administrators', admin: true, members: [{ id: { id: ID }, name: 'Ann' }] },
      ],
    };
    assert.deepEqual(validateResponse(doc, 'getPortfolio', 200, portfolio), []);
    assert.deepEqual(validateResponse(doc, 'findPortfolios', 200, [portfolio]), []);
    assert.deepEqual(validateResponse(doc, 'deletePortfolio', 200, true), []);
  });

  it('names each field that breaks the schema', () => {
    const problems = validateResponse(doc, 'getPortfolio', 200, {
      id: 'not-a-uuid',
      name: 'Fleet',
      groups: [{ id: ID, name: 7 }],
    });
    assert.deepEqual(problems, [
      'response/version is required',
      'response/id must be a valid uuid',
      'response/groups/0/name must be string',
    ]);
  });

  it('knows which operations answer without a body', () => {
    assert.deepEqual(validateResponse(doc, 'updatePersonV2', 204, undefined), []);
    assert.deepEqual(validateResponse(doc, 'updatePersonV2', 204, { id: ID }), [
      'updatePersonV2 204 has no body in the document, but one was sent',
    ]);
  });

  it('refuses statuses and operations the document does not declare', () => {
    assert.deepEqual(validateResponse(doc, 'getPortfolio', 201, {}), [
      'getPortfolio declares no 201 response (declared: 200)',
    ]);
    assert.deepEqual(validateResponse(doc, 'noSuchOperation', 200, {}), [
      'noSuchOperation is not an operation of the document',
    ]);
  });
});
