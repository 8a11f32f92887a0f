import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseProperties } from './properties.ts';

describe('parseProperties', () => {
  it('reads =, : and space separators, comments and blank lines', () => {
    const p = parseProperties('# c\n! c\n\na=1\nb : 2\nc 3\n  d=  spaced value  \n');
    assert.deepEqual(Object.fromEntries(p), { a: '1', b: '2', c: '3', d: 'spaced value  ' });
  });

  it('joins continuation lines and decodes escapes', () => {
    const p = parseProperties('list=one,\\\n    two\nkey\\ with\\ space=x\\ty\nu=\\u0041');
    assert.equal(p.get('list'), 'one,two');
    assert.equal(p.get('key with space'), 'x\ty');
    assert.equal(p.get('u'), 'A');
  });
});
