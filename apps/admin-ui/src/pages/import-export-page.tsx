import { useEffect, useId, useState } from 'react';
import { errorFromResponse } from '../api/errors.ts';
import { Button } from '../ui/buttons.tsx';
import { ErrorBanner, useToast } from '../ui/feedback.tsx';
import { useAction, useLoad } from '../ui/hooks.ts';
import { rememberApp } from '../ui/layout.tsx';
import { PageHeader } from '../ui/page-header.tsx';
import { useSession } from '../ui/session.tsx';

// Download one application as a flags-as-code file and upload an edited one (docs/import-export.md). Uploads are
// checked first (a dry run shows what would change); nothing is written until the person confirms.

interface KindCounts {
  created: number;
  updated: number;
  unchanged: number;
  archived: number;
}

interface ImportReport {
  dryRun: boolean;
  counts: Record<string, KindCounts>;
  skipped: string[];
  notes: string[];
}

export function ImportExportPage({ appId }: { appId: string }) {
  const { api } = useSession();
  const toast = useToast();
  const fileId = useId();
  useEffect(() => rememberApp(appId), [appId]);
  const app = useLoad(() => api.getApplication(appId), [appId]);
  const [includeKeys, setIncludeKeys] = useState(false);
  const [upload, setUpload] = useState<{ name: string; text: string } | undefined>(undefined);
  const [plan, setPlan] = useState<ImportReport | undefined>(undefined);
  const [prune, setPrune] = useState(false);

  const call = async (path: string, init: RequestInit = {}): Promise<string> => {
    const token = api.http.tokens.get();
    const res = await window.fetch(`/mr-api/transfer/${path}`, {
      ...init,
      cache: 'no-store',
      headers: {
        ...(init.headers as Record<string, string>),
        ...(token ? { Authorization: `Bearer ${token}` } : {}),
      },
    });
    const text = await res.text();
    if (!res.ok) throw errorFromResponse(res.status, text);
    return text;
  };

  const download = useAction(async () => {
    const query = new URLSearchParams({ application: appId, format: 'yaml' });
    if (includeKeys) query.set('includeKeys', 'true');
    const text = await call(`export?${query}`);
    const url = URL.createObjectURL(new Blob([text], { type: 'application/yaml' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `${(app.data?.name ?? 'application').replace(/[^A-Za-z0-9_-]+/g, '-')}.yaml`;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  });

  const send = async (dryRun: boolean): Promise<ImportReport> => {
    const query = new URLSearchParams();
    if (dryRun) query.set('dryRun', 'true');
    if (prune) query.set('prune', 'true');
    const text = await call(`import?${query}`, {
      method: 'POST',
      headers: { 'Content-Type': upload?.name.endsWith('.json') ? 'application/json' : 'application/yaml' },
      body: upload?.text ?? '',
    });
    return JSON.parse(text) as ImportReport;
  };
  const check = useAction(async () => setPlan(await send(true)));
  const apply = useAction(async () => {
    const report = await send(false);
    setPlan(undefined);
    setUpload(undefined);
    toast(`Imported: ${summary(report)}`);
  });

  return (
    <>
      <PageHeader
        title="Import and export"
        subtitle={
          app.data?.name ? `${app.data.name} · flags as code: a YAML file you can keep in Git` : undefined
        }
      />
      <section className="card" data-testid="export-card">
        <h2>Download</h2>
        <p>
          Features, values and strategies of every environment, application strategies, feature groups,
          feature filters and the service accounts that reach this application.
        </p>
        <label>
          <input
            type="checkbox"
            checked={includeKeys}
            onChange={(e) => setIncludeKeys(e.target.checked)}
            data-testid="include-keys"
          />{' '}
          Include SDK keys and webhook settings (keep such a file secret)
        </label>
        <ErrorBanner error={download.error} testId="export-error" />
        <Button
          variant="primary"
          busy={download.busy}
          // The file is named after the application: wait until its name is here.
          disabled={!app.data}
          onClick={() => void download.run()}
          data-testid="download"
        >
          Download YAML
        </Button>
      </section>
      <section className="card" data-testid="import-card">
        <h2>Upload</h2>
        <label htmlFor={fileId}>A file exported here or by `featurehub export`</label>
        <input
          id={fileId}
          type="file"
          accept=".yaml,.yml,.json"
          data-testid="upload-file"
          onChange={async (e) => {
            const file = e.target.files?.[0];
            setPlan(undefined);
            check.clearError();
            apply.clearError();
            setUpload(file ? { name: file.name, text: await file.text() } : undefined);
          }}
        />
        <label>
          <input
            type="checkbox"
            checked={prune}
            onChange={(e) => setPrune(e.target.checked)}
            data-testid="prune"
          />{' '}
          Archive what the file no longer has
        </label>
        <ErrorBanner error={check.error ?? apply.error} testId="import-error" />
        {plan && (
          <div data-testid="import-plan">
            <p>The import would do this:</p>
            <ul>
              {Object.entries(plan.counts)
                .filter(([, c]) => c.created + c.updated + c.archived > 0)
                .map(([kind, c]) => (
                  <li key={kind}>
                    {kind}: {c.created} created, {c.updated} updated
                    {c.archived ? `, ${c.archived} archived` : ''}
                  </li>
                ))}
            </ul>
            {plan.notes.map((n) => (
              <p key={n}>{n}</p>
            ))}
          </div>
        )}
        <div className="actions">
          <Button
            busy={check.busy}
            disabled={!upload}
            onClick={() => void check.run()}
            data-testid="check-import"
          >
            Check
          </Button>
          <Button
            variant="primary"
            busy={apply.busy}
            disabled={!plan}
            onClick={() => void apply.run()}
            data-testid="apply-import"
          >
            Import
          </Button>
        </div>
      </section>
    </>
  );
}

function summary(report: ImportReport): string {
  let created = 0;
  let updated = 0;
  let archived = 0;
  for (const c of Object.values(report.counts)) {
    created += c.created;
    updated += c.updated;
    archived += c.archived;
  }
  return `${created} created, ${updated} updated, ${archived} archived`;
}
