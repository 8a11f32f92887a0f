import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { confirmProblem, emailProblem, nameProblem, passwordProblem } from './validation.ts';

describe('form checks', () => {
  it('wants passwords of 7 to 40 characters', () => {
    assert.match(String(passwordProblem('short')), /at least 7/);
    assert.equal(passwordProblem('long enough'), undefined);
    assert.match(String(passwordProblem('x'.repeat(41))), /at most 40/);
  });

  it('checks email addresses loosely', () => {
    assert.equal(emailProblem('a@b.io'), undefined);
    assert.match(String(emailProblem('a@b')), /not a valid/);
    assert.match(String(emailProblem(' ')), /Enter/);
  });

  it('requires a trimmed name within the limit', () => {
    assert.equal(nameProblem('  ', 'portfolio', 10), 'Enter a name for the portfolio.');
    assert.match(String(nameProblem('abcdefghijk', 'portfolio', 10)), /10 characters/);
  });
});

describe('confirmProblem', () => {
  it('asks for the same password twice', () => {
    assert.equal(confirmProblem('secret123', 'secret123'), undefined);
    assert.match(String(confirmProblem('secret123', 'secret12')), /do not match/);
  });
});
