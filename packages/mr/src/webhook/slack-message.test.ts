import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type SlackFeatureChange, slackEscape, slackText } from './slack-message.ts';

const change = (over: Partial<SlackFeatureChange> = {}): SlackFeatureChange => ({
  featureKey: 'FLAG',
  featureName: 'The flag',
  featureId: 'f1',
  featureValueType: 'BOOLEAN',
  environmentName: 'production',
  environmentId: 'e1',
  appName: 'Checkout',
  applicationId: 'a1',
  portfolioName: 'Shop',
  portfolioId: 'p1',
  whoUpdated: 'Sam Super',
  whoUpdatedId: 'u1',
  whenUpdated: '2026-01-01T00:00:00.000Z',
  featureValueUpdated: { updated: 'true', previous: 'false' },
  ...over,
});

describe('the Slack text from slack.messageFormat.featureChange', () => {
  it('no template: the default text, one line per feature', () => {
    const { text, templateError } = slackText([change(), change({ featureKey: 'OTHER' })], null);
    assert.equal(templateError, undefined);
    assert.deepEqual(text.split('\n'), [
      'Feature FLAG in environment production of application Checkout changed by Sam Super: from false to true',
      'Feature OTHER in environment production of application Checkout changed by Sam Super: from false to true',
    ]);
  });

  it("renders upstream's field names, sections included, once per feature", () => {
    const { text } = slackText(
      [change({ lockUpdated: { updated: true, previous: false } }), change({ featureKey: 'B' })],
      '{{featureKey}}@{{environmentName}}/{{appName}}/{{portfolioName}}: {{featureValueUpdated.previous}}=>{{featureValueUpdated.updated}}{{#lockUpdated}} locked={{updated}}{{/lockUpdated}}',
    );
    assert.equal(
      text,
      'FLAG@production/Checkout/Shop: false=>true locked=true\nB@production/Checkout/Shop: false=>true',
    );
  });

  it('values are escaped for Slack (&, <, >): a name cannot mention @channel or open a link', () => {
    const { text } = slackText(
      [change({ whoUpdated: '<!channel> & <https://evil|click>' })],
      'by {{whoUpdated}}',
    );
    assert.equal(text, 'by &lt;!channel&gt; &amp; &lt;https://evil|click&gt;');
    assert.equal(slackEscape('a"b\'c/d'), 'a"b\'c/d', 'nothing else is touched');
  });

  it('partials render nothing and unknown names are empty: no file or other data is reachable', () => {
    const { text } = slackText(
      [change()],
      '[{{> /etc/passwd}}][{{constructor}}][{{process.env.HOME}}]{{featureKey}}',
    );
    assert.equal(text, '[][][]FLAG');
    const proto = slackText(
      [change()],
      '[{{featureValueUpdated.constructor.name}}][{{__proto__}}][{{toString}}]',
    );
    assert.equal(proto.text, '[][][]', 'no prototype is reachable');
  });

  it('a template that does not parse gives the default text and says why', () => {
    for (const broken of ['{{#featureKey}} never closed', '{{/x}}', '{{=<% %>=}} <%#a%>']) {
      const { text, templateError } = slackText([change()], broken);
      assert.ok(templateError, broken);
      assert.match(text, /^Feature FLAG in environment production/);
    }
  });

  it('a template that renders nothing falls back too; an enormous one is cut at 40,000 characters', () => {
    assert.match(slackText([change()], '{{nothing}}').text, /^Feature FLAG/);
    const big = slackText([change()], `${'x'.repeat(50_000)}{{featureKey}}`);
    assert.equal(big.text.length, 40_000);
  });
});
