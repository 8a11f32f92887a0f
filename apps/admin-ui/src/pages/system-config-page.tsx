import { useMemo, useState } from 'react';
import { ENCRYPTED_TEXT, IntegrationsApi, type SystemConfigItem } from '../api/integrations-api.ts';
import { Button } from '../ui/buttons.tsx';
import { ErrorBanner, LoadGate, useToast } from '../ui/feedback.tsx';
import { Switch, TextField } from '../ui/forms.tsx';
import { useAction, useLoad } from '../ui/hooks.ts';
import { PageHeader } from '../ui/page-header.tsx';
import { useSession } from '../ui/session.tsx';

function SlackForm({ configs, onSaved }: { configs: SystemConfigItem[]; onSaved: () => void }) {
  const { api } = useSession();
  const toast = useToast();
  const integrations = useMemo(() => new IntegrationsApi(api.http), [api]);
  const item = (key: string) => configs.find((c) => c.key === key);
  const text = (key: string) => (typeof item(key)?.value === 'string' ? (item(key)?.value as string) : '');
  const [enabled, setEnabled] = useState(item('slack.enabled')?.value === true);
  const tokenStored = item('slack.bearerToken')?.value === ENCRYPTED_TEXT;
  const [token, setToken] = useState('');
  const [channel, setChannel] = useState(text('slack.defaultChannel'));
  const [deliveryUrl, setDeliveryUrl] = useState(text('slack.delivery.url'));
  const save = useAction(async () => {
    const change = (key: string, value: unknown): SystemConfigItem => ({
      key,
      version: item(key)?.version ?? -1,
      value,
    });
    const updates = [
      change('slack.enabled', enabled),
      change('slack.defaultChannel', channel.trim()),
      change('slack.delivery.url', deliveryUrl.trim()),
      ...(token ? [change('slack.bearerToken', token)] : []),
    ];
    await integrations.saveSystemConfig(updates);
    toast('Saved the Slack settings');
    onSaved();
  });
  return (
    <section className="card stack narrow" aria-labelledby="slack-config">
      <h2 className="section-title" id="slack-config">
        Slack
      </h2>
      <Switch
        label="Slack is set up for this FeatureHub"
        checked={enabled}
        onChange={setEnabled}
        testId="slack-system-enabled"
      />
      <TextField
        label="Bot token"
        type="password"
        value={token}
        placeholder={tokenStored ? 'stored encrypted; type to replace' : 'xoxb-…'}
        onChange={setToken}
        testId="slack-token"
        autoComplete="off"
      />
      <TextField
        label="Default channel ID"
        value={channel}
        onChange={setChannel}
        testId="slack-default-channel"
      />
      <TextField
        label="Delivery URL"
        hint=" — optional: send integration/slack-v1 cloud events here instead of posting to Slack"
        value={deliveryUrl}
        onChange={setDeliveryUrl}
        testId="slack-delivery-url"
        mono
      />
      <div>
        <Button
          variant="primary"
          busy={save.busy}
          onClick={() => void save.run()}
          data-testid="slack-config-save"
        >
          Save
        </Button>
      </div>
      <ErrorBanner error={save.error} />
    </section>
  );
}

/** The system config (superusers): today, Slack. */
export function SystemConfigPage() {
  const { api } = useSession();
  const integrations = useMemo(() => new IntegrationsApi(api.http), [api]);
  const slack = useLoad(() => integrations.systemConfig('slack.'), []);
  return (
    <>
      <PageHeader title="System config" subtitle="Settings for the whole FeatureHub" />
      <LoadGate loaded={slack}>
        {(configs) => (
          <SlackForm
            key={configs.map((c) => `${c.key}:${c.version}`).join(',')}
            configs={configs}
            onSaved={slack.reload}
          />
        )}
      </LoadGate>
    </>
  );
}
