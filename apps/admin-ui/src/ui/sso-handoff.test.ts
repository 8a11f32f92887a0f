import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cssColour, ssoFailureMessage, takeSsoHandoff } from './sso-handoff.ts';

describe('single sign-on hand-off', () => {
  it('takes the token from the bearer-token cookie and deletes the cookie', () => {
    const written: string[] = [];
    const doc = {
      get cookie() {
        return 'other=1; bearer-token=AbC123; x=y';
      },
      set cookie(v: string) {
        written.push(v);
      },
    };
    assert.equal(takeSsoHandoff(doc), 'AbC123');
    assert.deepEqual(written, ['bearer-token=; Max-Age=0; Path=/; SameSite=Lax']);
  });

  it('leaves everything alone without the cookie', () => {
    const written: string[] = [];
    const doc = {
      get cookie() {
        return 'other=1';
      },
      set cookie(v: string) {
        written.push(v);
      },
    };
    assert.equal(takeSsoHandoff(doc), undefined);
    assert.deepEqual(written, []);
  });

  it('says why a sign-in was refused, and something safe for reasons it does not know', () => {
    assert.match(ssoFailureMessage('unknown_user')!, /do not have a FeatureHub account/);
    assert.match(ssoFailureMessage('archived')!, /deactivated/);
    assert.match(ssoFailureMessage('denied')!, /cancelled or refused/);
    assert.match(ssoFailureMessage('<script>')!, /could not be verified/);
    assert.equal(ssoFailureMessage(null), undefined);
  });

  it("turns upstream's Flutter colours into CSS and refuses anything else", () => {
    assert.equal(cssColour('0xFF123456'), '#123456FF');
    assert.equal(cssColour('#fff'), '#fff');
    assert.equal(cssColour('black'), 'black');
    assert.equal(cssColour('red; background: url(x)'), undefined);
  });
});
