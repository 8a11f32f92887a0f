import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultStatusMessage, errorFromResponse, errorMessage } from './errors.ts';

describe('errorFromResponse', () => {
  it("uses our server's JSON message and code", () => {
    const e = errorFromResponse(409, '{"code":"duplicate_name","message":"A portfolio named Acme exists"}');
    assert.equal(e.status, 409);
    assert.equal(e.code, 'duplicate_name');
    assert.equal(e.message, 'A portfolio named Acme exists.');
  });

  it("shows the server's clause as a sentence: capital first letter, full stop", () => {
    const e = errorFromResponse(
      409,
      '{"code":"conflict","message":"a feature with key \\"X\\" already exists"}',
    );
    assert.equal(e.message, 'A feature with key "X" already exists.');
    assert.equal(errorFromResponse(400, '{"code":"bad","message":"Enter a name."}').message, 'Enter a name.');
  });

  it('falls back to a sentence for the status when the body is empty', () => {
    assert.equal(errorFromResponse(403, '').message, 'You do not have permission to do that.');
    assert.match(errorFromResponse(422, '').message, /changed this since you opened it/);
    assert.match(errorFromResponse(503, '').message, /server had a problem \(HTTP 503\)/);
  });

  it("prefers the caller's words for a status over the generic one", () => {
    assert.equal(errorFromResponse(404, '', { 404: 'Wrong password' }).message, 'Wrong password');
  });

  it('shows a short text body as it is but not an HTML error page', () => {
    assert.equal(errorFromResponse(401, 'Please login.').message, 'Please login.');
    assert.match(errorFromResponse(502, '<html><body>Bad gateway</body></html>').message, /HTTP 502/);
  });

  it('lists strategy violations of a 422 in plain words', () => {
    const body = JSON.stringify({
      customStategyViolations: [
        { strategy: { name: 'beta' }, violations: [{ violation: 'attr_val_not_number' }] },
      ],
      violations: ['percentage_adds_over_100_percent'],
    });
    const e = errorFromResponse(422, body);
    assert.equal(e.code, 'strategy_invalid');
    assert.match(e.message, /Strategy "beta": a number rule has a value that is not a number\./);
    assert.match(e.message, /add up to more than 100%/);
  });
});

describe('error messages', () => {
  it('explains an unreachable server', () => {
    assert.match(defaultStatusMessage(0), /Cannot reach/);
  });

  it('reads the message of any thrown error', () => {
    assert.equal(errorMessage(new Error('boom')), 'boom');
    assert.equal(errorMessage('x'), 'Something went wrong.');
  });
});
