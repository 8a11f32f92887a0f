/** How a system-config value is typed on the wire (upstream's boolRef, stringRef, encryptableHeaderRef). */
export type SystemConfigType = 'boolean' | 'string' | 'headers';

/** One key the system config accepts: upstream's ValidSystemConfig. */
export interface SystemConfigDefinition {
  key: string;
  description: string;
  type: SystemConfigType;
  /** stored encrypted, answered masked, readable only through the decrypt operation */
  encrypted: boolean;
  /** listed with its default (version -1) by a filtered GET while never saved */
  createIfMissing: boolean;
  defaultValue: unknown;
}

/** The Slack keys (upstream SlackConfig): all that the system config holds today. */
export const systemConfigDefinitions: readonly SystemConfigDefinition[] = [
  {
    key: 'slack.enabled',
    description: 'Whether slack has been configured for this system',
    type: 'boolean',
    encrypted: false,
    createIfMissing: true,
    defaultValue: false,
  },
  {
    key: 'slack.bearerToken',
    description: 'The system wide bearer token for the FH Slack App',
    type: 'string',
    encrypted: true,
    createIfMissing: true,
    defaultValue: null,
  },
  {
    key: 'slack.defaultChannel',
    description: 'The default channel if none is provided by the individual environment',
    type: 'string',
    encrypted: false,
    createIfMissing: true,
    defaultValue: null,
  },
  {
    key: 'slack.messageFormat.featureChange',
    description: 'The format for Slack messages for Feature Updates',
    type: 'string',
    encrypted: false,
    createIfMissing: true,
    defaultValue: null,
  },
  {
    key: 'slack.delivery.url',
    description: 'The URL of the system which hosts Slack messages (http(s)://); empty: straight to Slack',
    type: 'string',
    encrypted: false,
    createIfMissing: true,
    defaultValue: null,
  },
  {
    key: 'slack.delivery.headers',
    description: 'Any headers',
    type: 'headers',
    encrypted: true,
    createIfMissing: true,
    defaultValue: { 'slack.encrypted': '' },
  },
];

export function systemConfigDefinition(key: string): SystemConfigDefinition | undefined {
  return systemConfigDefinitions.find((d) => d.key === key);
}
