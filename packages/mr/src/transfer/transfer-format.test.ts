import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  formatTransferDocument,
  parseTransferDocument,
  TRANSFER_FORMAT,
  type TransferDocument,
  TransferFileError,
} from './transfer-format.ts';

const ids = {
  org: '00000000-0000-0000-0000-000000000001',
  portfolio: '00000000-0000-0000-0000-000000000002',
  app: '00000000-0000-0000-0000-000000000003',
  env: '00000000-0000-0000-0000-000000000004',
  feature: '00000000-0000-0000-0000-000000000005',
  value: '00000000-0000-0000-0000-000000000006',
};

function sample(): TransferDocument {
  return {
    featurehub: TRANSFER_FORMAT,
    organisation: { id: ids.org, name: 'Acme' },
    portfolios: [
      {
        id: ids.portfolio,
        name: 'Retail',
        description: null,
        featureFilters: [],
        serviceAccounts: [],
        applications: [
          {
            id: ids.app,
            name: 'Shop',
            description: null,
            strategies: [],
            features: [
              {
                id: ids.feature,
                key: 'FLAG',
                name: 'Flag',
                alias: null,
                valueType: 'BOOLEAN',
                description: null,
                link: null,
                metadata: null,
                secret: false,
                featureFilters: [],
              },
            ],
            environments: [
              {
                id: ids.env,
                name: 'production',
                description: null,
                priorEnvironment: null,
                production: true,
                info: {},
                managementInfo: {},
                values: [
                  {
                    id: ids.value,
                    feature: 'FLAG',
                    version: 2,
                    value: 'true',
                    locked: true,
                    retired: false,
                    strategies: [],
                    applicationStrategies: [],
                  },
                ],
                featureGroups: [],
              },
            ],
          },
        ],
      },
    ],
  };
}

function refused(text: string, message: RegExp): void {
  assert.throws(
    () => parseTransferDocument(text, 'f.yaml'),
    (e: unknown) => e instanceof TransferFileError && e.status === 400 && message.test(e.message),
  );
}

describe('the transfer file format', () => {
  it('YAML and JSON forms read back to the same document', () => {
    const doc = sample();
    assert.deepEqual(parseTransferDocument(formatTransferDocument(doc, 'yaml')), doc);
    assert.deepEqual(parseTransferDocument(formatTransferDocument(doc, 'json')), doc);
  });

  it('a value may leave its version out (files written by hand)', () => {
    const doc = sample();
    delete doc.portfolios[0]!.applications[0]!.environments[0]!.values[0]!.version;
    assert.equal(
      parseTransferDocument(JSON.stringify(doc)).portfolios[0]!.applications[0]!.environments[0]!.values[0]!
        .version,
      undefined,
    );
  });

  it('malformed and hostile files are refused with what and where', () => {
    const yaml = formatTransferDocument(sample(), 'yaml');
    refused('featurehub: [\n', /^f\.yaml line \d+ column \d+: not valid YAML or JSON/);
    refused(
      yaml.replace(TRANSFER_FORMAT, 'featurehub/transfer-v9'),
      /f\.yaml#\/featurehub: must be "featurehub\/transfer-v1"/,
    );
    refused(yaml.replace('name: Acme', 'name: Acme\n  __proto__: {}'), /unknown field "__proto__"/);
    refused(yaml.replace('valueType: BOOLEAN', 'valueType: FLOAT'), /features\/0\/valueType/);
    refused(
      yaml.replace(`id: ${ids.value}`, `id: ${ids.feature}`),
      /values\/0: id .* also used at \/portfolios\/0\/applications\/0\/features\/0/,
    );
    refused(yaml.replace('feature: FLAG', 'feature: OTHER'), /values\/0\/feature: no feature with key OTHER/);
    refused(
      yaml.replace('priorEnvironment: null', `priorEnvironment: ${ids.org}`),
      /priorEnvironment: environment .* is not in this application/,
    );
    refused(`${yaml}featurehub: again\n`, /not valid YAML or JSON/);
    // JSON goes to the JSON parser; a broken one still gets the YAML parser's line and column
    const json = formatTransferDocument(sample(), 'json');
    refused(
      json.replace(`"id": "${ids.org}",`, `"id": "${ids.org}"`),
      /^f\.yaml line \d+ column \d+: not valid YAML or JSON/,
    );
    refused(json.replace('"name": "Acme"', '"name": "Acme", "__proto__": {}'), /unknown field "__proto__"/);
    refused(
      json.replace('"name": "Acme"', '"name": "Acme", "na\\u006de": "Other"'),
      /^f\.yaml line 5 column 21: not valid YAML or JSON: map keys must be unique/,
    );
    refused(
      json.replace(
        `"featurehub": "${TRANSFER_FORMAT}",`,
        `"featurehub": "${TRANSFER_FORMAT}", "featurehub": "x",`,
      ),
      /^f\.yaml line 2 column \d+: not valid YAML or JSON: map keys must be unique/,
    );
    // the same key in different objects, and a string value equal to a key, are fine
    assert.equal(parseTransferDocument(json).organisation.name, 'Acme');
    refused(yaml.replace(`id: ${ids.app}`, 'id: "../../etc"'), /applications\/0\/id/);
    const bomb = `a: &a [x, x, x, x, x, x, x, x, x, x]\n${Array.from(
      { length: 12 },
      (_, i) =>
        `b${i}: &b${i} [${Array(10)
          .fill(i === 0 ? '*a' : `*b${i - 1}`)
          .join(', ')}]`,
    ).join('\n')}\n`;
    refused(bomb, /^f\.yaml/);
  });
});
