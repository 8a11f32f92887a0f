import { type HttpClient, seg } from './http.ts';
import type { Environment } from './types.ts';

/** One system-config key as MR answers it (encrypted values come back as ENCRYPTED-TEXT). */
export interface SystemConfigItem {
  key: string;
  encrypted?: boolean;
  version?: number;
  value?: unknown;
}

export interface WebhookSummaryItem {
  id: string;
  type?: string;
  method: string;
  whenSent: string;
  status: number;
}

export interface WebhookDetail {
  whenSent?: string;
  status: number;
  method: string;
  cloudEventType: string;
  content?: string;
  url?: string;
  outboundHeaders?: Record<string, string>;
  incomingHeaders?: Record<string, string>;
  result?: string;
}

/** What MR shows instead of a stored secret; sending it back keeps the secret. */
export const ENCRYPTED_TEXT = 'ENCRYPTED-TEXT';

/** The webhook, Slack and system-config operations (upstream WebhookService, SystemConfigService). */
export class IntegrationsApi {
  constructor(private readonly http: HttpClient) {}

  environment(envId: string): Promise<Environment> {
    return this.http.get(`/environment/${seg(envId)}`, { query: { includeDetails: true } });
  }

  saveWebhookSettings(env: Environment, info: Record<string, string>): Promise<Environment> {
    return this.http.put(`/environment/${seg(env.id ?? '')}/v2`, {
      version: env.version ?? 0,
      webhookEnvironmentInfo: info,
    });
  }

  testWebhook(envId: string, config: Record<string, string>): Promise<void> {
    return this.http.post('/webhooks', { messageType: 'enriched-feature-v1', envId, config });
  }

  /** A Slack test message with the (unsaved) channel; the server says what is missing when Slack is not set up. */
  testSlack(envId: string, config: Record<string, string>): Promise<void> {
    return this.http.post('/webhooks', { messageType: 'integration/slack-v1', envId, config });
  }

  async history(envId: string): Promise<{ max: number; results: WebhookSummaryItem[] }> {
    return this.http.get(`/webhooks/${seg(envId)}`, { query: { max: 50 } });
  }

  detail(envId: string, id: string): Promise<WebhookDetail> {
    return this.http.get(`/webhooks/${seg(envId)}/${seg(id)}`);
  }

  async systemConfig(filter: string): Promise<SystemConfigItem[]> {
    const answer = await this.http.get<{ configs?: SystemConfigItem[] }>('/system-api', {
      query: { filters: [filter] },
    });
    return answer.configs ?? [];
  }

  async saveSystemConfig(configs: SystemConfigItem[]): Promise<SystemConfigItem[]> {
    const answer = await this.http.post<{ configs?: SystemConfigItem[] }>('/system-api', { configs });
    return answer.configs ?? [];
  }
}
