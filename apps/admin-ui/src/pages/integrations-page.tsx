import { useEffect, useMemo, useState } from 'react';
import { ENCRYPTED_TEXT, IntegrationsApi, type WebhookSummaryItem } from '../api/integrations-api.ts';
import type { Environment } from '../api/types.ts';
import { promotionOrder } from '../lib/format.ts';
import { Button, IconButton } from '../ui/buttons.tsx';
import { DataTable } from '../ui/data-table.tsx';
import { Badge, Empty, ErrorBanner, LoadGate, Notice, useToast } from '../ui/feedback.tsx';
import { Checkbox, SelectField, Switch, TextField } from '../ui/forms.tsx';
import { useAction, useLoad } from '../ui/hooks.ts';
import { rememberApp } from '../ui/layout.tsx';
import { Modal } from '../ui/overlays.tsx';
import { PageHeader } from '../ui/page-header.tsx';
import { useSession } from '../ui/session.tsx';

const P = 'webhook.features';
const HEADER = `${P}.header.`;
const HMAC = `${P}.hmac.secret`;

interface HeaderRow {
  /** React's key for the row: names change while typing */
  rowId: number;
  name: string;
  value: string;
  encrypted: boolean;
}

/** The form's view of an environment's webhook and Slack settings. */
interface Settings {
  enabled: boolean;
  endpoint: string;
  headers: HeaderRow[];
  hmac: string;
  slackEnabled: boolean;
  slackChannel: string;
  disabledReason: string | undefined;
}

function readSettings(info: Record<string, string>): Settings {
  const encrypted = new Set((info[`${P}.encrypt`] ?? '').split(',').map((s) => s.trim()));
  return {
    enabled: info[`${P}.enabled`] === 'true',
    endpoint: info[`${P}.endpoint`] ?? '',
    headers: Object.entries(info)
      .filter(([k]) => k.startsWith(HEADER))
      .map(([k, v], i) => ({
        rowId: i,
        name: k.slice(HEADER.length),
        value: v,
        encrypted: encrypted.has(k),
      })),
    hmac: info[HMAC] ?? '',
    slackEnabled: info['integration.slack.enabled'] === 'true',
    slackChannel: info['integration.slack.channel_name'] ?? '',
    disabledReason: info[`${P}.enabled`] === 'false' ? info[`${P}.disabled.reason`] : undefined,
  };
}

/** The settings map to save: what the form holds, and `<key>.deleted` for what it no longer holds. */
function writeSettings(s: Settings, before: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {
    [`${P}.enabled`]: String(s.enabled),
    [`${P}.endpoint`]: s.endpoint.trim(),
    'integration.slack.enabled': String(s.slackEnabled),
    'integration.slack.channel_name': s.slackChannel.trim(),
  };
  const encrypt: string[] = [];
  for (const h of s.headers) {
    const name = h.name.trim().toLowerCase();
    if (!name) continue;
    out[`${HEADER}${name}`] = h.value;
    if (h.encrypted) encrypt.push(`${HEADER}${name}`);
  }
  if (s.hmac) {
    out[HMAC] = s.hmac;
    encrypt.push(HMAC);
  }
  out[`${P}.encrypt`] = encrypt.join(',');
  for (const key of Object.keys(before)) {
    const kept = key in out || key.endsWith('.encrypted') || key.endsWith('.salt');
    if (!kept && (key.startsWith(HEADER) || key === HMAC)) out[`${key}.deleted`] = '';
  }
  if (s.enabled && before[`${P}.disabled.reason`] !== undefined) out[`${P}.disabled.reason.deleted`] = '';
  return out;
}

function statusTone(status: number): 'on' | 'danger' {
  return status >= 200 && status < 300 ? 'on' : 'danger';
}

function DeliveryDetail({
  envId,
  item,
  onClose,
}: {
  envId: string;
  item: WebhookSummaryItem;
  onClose: () => void;
}) {
  const { api } = useSession();
  const integrations = useMemo(() => new IntegrationsApi(api.http), [api]);
  const detail = useLoad(() => integrations.detail(envId, item.id), [envId, item.id]);
  const headers = (h: Record<string, string> | undefined) => (
    <pre className="mono small" data-testid="delivery-headers">
      {Object.entries(h ?? {})
        .map(([k, v]) => `${k}: ${v}`)
        .join('\n')}
    </pre>
  );
  return (
    <Modal title="Delivery" onClose={onClose} size="lg" testId="delivery-detail">
      <LoadGate loaded={detail}>
        {(d) => (
          <div className="stack">
            <p>
              <Badge tone={statusTone(d.status)}>{d.status === 0 ? 'no answer' : d.status}</Badge> {d.method}{' '}
              <span className="mono">{d.url}</span> · {d.cloudEventType}
            </p>
            <h3 className="section-title">Sent headers</h3>
            {headers(d.outboundHeaders)}
            <h3 className="section-title">Answer</h3>
            {headers(d.incomingHeaders)}
            <pre className="mono small" data-testid="delivery-result">
              {d.result}
            </pre>
            <h3 className="section-title">Body</h3>
            <pre className="mono small" data-testid="delivery-body">
              {d.content}
            </pre>
          </div>
        )}
      </LoadGate>
    </Modal>
  );
}

function EnvironmentIntegrations({ env, onSaved }: { env: Environment; onSaved: () => void }) {
  const { api } = useSession();
  const toast = useToast();
  const integrations = useMemo(() => new IntegrationsApi(api.http), [api]);
  const info = env.webhookEnvironmentInfo ?? {};
  const [s, setS] = useState<Settings>(() => readSettings(info));
  const set = (patch: Partial<Settings>) => setS((prev) => ({ ...prev, ...patch }));
  const history = useLoad(() => integrations.history(env.id ?? ''), [env.id]);
  const [open, setOpen] = useState<WebhookSummaryItem | undefined>(undefined);
  const save = useAction(async () => {
    await integrations.saveWebhookSettings(env, writeSettings(s, info));
    toast(`Saved the integrations of ${env.name}`);
    onSaved();
  });
  const test = useAction(async () => {
    await integrations.testWebhook(
      env.id ?? '',
      s.endpoint.trim() ? { [`${P}.endpoint`]: s.endpoint.trim() } : {},
    );
    toast('Sent a test event');
    history.reload();
  });
  const testSlack = useAction(async () => {
    await integrations.testSlack(
      env.id ?? '',
      s.slackChannel.trim() ? { 'integration.slack.channel_name': s.slackChannel.trim() } : {},
    );
    toast('Sent a Slack test message');
    history.reload();
  });

  return (
    <div className="stack">
      {s.disabledReason ? (
        <Notice tone="warn">
          <span data-testid="webhook-disabled">The webhook was switched off: {s.disabledReason}</span>
        </Notice>
      ) : null}
      <section className="card stack" aria-labelledby="webhook-title">
        <h2 className="section-title" id="webhook-title">
          Feature webhook
        </h2>
        <Switch
          label="Post every feature change (enriched-feature-v1 cloud events)"
          checked={s.enabled}
          onChange={(enabled) => set({ enabled })}
          testId="webhook-enabled"
        />
        <TextField
          label="Endpoint"
          value={s.endpoint}
          onChange={(endpoint) => set({ endpoint })}
          placeholder="https://example.com/featurehub"
          testId="webhook-endpoint"
          mono
        />
        <div className="stack">
          <span className="muted small">Headers sent with every event</span>
          {s.headers.map((h, i) => (
            <div className="row" key={h.rowId} data-testid="webhook-header">
              <TextField
                label="Header"
                value={h.name}
                onChange={(name) => set({ headers: s.headers.map((x, j) => (j === i ? { ...x, name } : x)) })}
                testId="webhook-header-name"
              />
              <TextField
                label="Value"
                value={h.value === ENCRYPTED_TEXT ? '' : h.value}
                placeholder={h.value === ENCRYPTED_TEXT ? 'stored encrypted' : ''}
                onChange={(value) =>
                  set({ headers: s.headers.map((x, j) => (j === i ? { ...x, value } : x)) })
                }
                testId="webhook-header-value"
              />
              <Checkbox
                label="Encrypt"
                checked={h.encrypted}
                onChange={(encrypted) =>
                  set({ headers: s.headers.map((x, j) => (j === i ? { ...x, encrypted } : x)) })
                }
                testId="webhook-header-encrypt"
              />
              <IconButton
                icon="trash"
                label={`Remove header ${h.name}`}
                onClick={() => set({ headers: s.headers.filter((_, j) => j !== i) })}
              />
            </div>
          ))}
          <div>
            <Button
              icon="plus"
              onClick={() =>
                set({
                  headers: [
                    ...s.headers,
                    {
                      rowId: Math.max(0, ...s.headers.map((x) => x.rowId + 1)),
                      name: '',
                      value: '',
                      encrypted: false,
                    },
                  ],
                })
              }
              data-testid="webhook-add-header"
            >
              Add header
            </Button>
          </div>
        </div>
        <TextField
          label="Signing secret (HMAC-SHA256, header x-featurehub-signature)"
          type="password"
          value={s.hmac === ENCRYPTED_TEXT ? '' : s.hmac}
          placeholder={s.hmac === ENCRYPTED_TEXT ? 'stored encrypted' : 'optional'}
          onChange={(hmac) => set({ hmac })}
          testId="webhook-hmac"
          autoComplete="off"
        />
      </section>
      <section className="card stack" aria-labelledby="slack-title">
        <h2 className="section-title" id="slack-title">
          Slack
        </h2>
        <Switch
          label="Post feature changes to Slack"
          checked={s.slackEnabled}
          onChange={(slackEnabled) => set({ slackEnabled })}
          testId="slack-enabled"
        />
        <TextField
          label="Channel ID"
          hint=" — empty: the default channel of the system config"
          value={s.slackChannel}
          onChange={(slackChannel) => set({ slackChannel })}
          testId="slack-channel"
        />
        <div className="row">
          <Button busy={testSlack.busy} onClick={() => void testSlack.run()} data-testid="slack-test">
            Send Slack test message
          </Button>
        </div>
        <ErrorBanner error={testSlack.error} />
      </section>
      <div className="row">
        <Button
          variant="primary"
          busy={save.busy}
          onClick={() => void save.run()}
          data-testid="integrations-save"
        >
          Save
        </Button>
        <Button busy={test.busy} onClick={() => void test.run()} data-testid="webhook-test">
          Send test event
        </Button>
      </div>
      <ErrorBanner error={save.error ?? test.error} />
      <section className="stack" aria-labelledby="history-title">
        <div className="row">
          <h2 className="section-title" id="history-title">
            Deliveries
          </h2>
          <IconButton icon="refresh" label="Reload deliveries" onClick={history.reload} />
        </div>
        <LoadGate loaded={history}>
          {(h) =>
            h.results.length === 0 ? (
              <Empty title="Nothing delivered yet" />
            ) : (
              <DataTable columns={['Sent', 'Type', 'Status']} lastColumn="Details" testId="delivery-list">
                {h.results.map((r) => (
                  <tr key={r.id} data-testid="delivery-row">
                    <td>{new Date(r.whenSent).toLocaleString()}</td>
                    <td>{r.type}</td>
                    <td>
                      <Badge tone={statusTone(r.status)}>{r.status === 0 ? 'no answer' : r.status}</Badge>
                    </td>
                    <td>
                      <Button onClick={() => setOpen(r)} data-testid="delivery-open">
                        Details
                      </Button>
                    </td>
                  </tr>
                ))}
              </DataTable>
            )
          }
        </LoadGate>
      </section>
      {open ? <DeliveryDetail envId={env.id ?? ''} item={open} onClose={() => setOpen(undefined)} /> : null}
    </div>
  );
}

/** An application's environments' webhook and Slack settings and delivery history (portfolio admins). */
export function IntegrationsPage({ appId }: { appId: string }) {
  const { api } = useSession();
  const integrations = useMemo(() => new IntegrationsApi(api.http), [api]);
  useEffect(() => rememberApp(appId), [appId]);
  const envs = useLoad(async () => promotionOrder(await api.environments(appId)), [appId]);
  const [envId, setEnvId] = useState<string>('');
  const chosen = envId || envs.data?.[0]?.id || '';
  const env = useLoad(async () => (chosen ? integrations.environment(chosen) : undefined), [chosen]);
  return (
    <>
      <PageHeader title="Integrations" subtitle="Webhooks and Slack, per environment" />
      <LoadGate loaded={envs}>
        {(list) =>
          list.length === 0 ? (
            <Empty title="No environments" />
          ) : (
            <div className="stack">
              <SelectField
                label="Environment"
                value={chosen}
                onChange={setEnvId}
                options={list.map((e) => ({ value: e.id ?? '', label: e.name }))}
                testId="integrations-environment"
              />
              {env.data ? (
                <EnvironmentIntegrations
                  key={`${env.data.id}-${env.data.version}`}
                  env={env.data}
                  onSaved={env.reload}
                />
              ) : (
                <ErrorBanner error={env.error} />
              )}
            </div>
          )
        }
      </LoadGate>
    </>
  );
}
