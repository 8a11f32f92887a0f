import { useState } from 'react';
import type { Application } from '../api/types.ts';
import { plural } from '../lib/format.ts';
import { Button } from '../ui/buttons.tsx';
import { EditDeleteButtons } from '../ui/data-table.tsx';
import { Empty, LoadGate, useToast } from '../ui/feedback.tsx';
import { useLoad } from '../ui/hooks.ts';
import { applicationsChanged, rememberApp } from '../ui/layout.tsx';
import { NameDescriptionDialog } from '../ui/name-description-dialog.tsx';
import { ConfirmDialog } from '../ui/overlays.tsx';
import { PageHeader } from '../ui/page-header.tsx';
import { Link, navigate } from '../ui/router.tsx';
import { useSession } from '../ui/session.tsx';

function ApplicationDialog({
  app,
  onClose,
  onSaved,
}: {
  app?: Application;
  onClose: () => void;
  onSaved: (a: Application) => void;
}) {
  const { api, portfolio } = useSession();
  return (
    <NameDescriptionDialog
      noun="application"
      testId="application"
      editing={app}
      maxLength={100}
      rows={3}
      required
      save={(name, description) =>
        app?.id
          ? api.updateApplication({ ...app, id: app.id, name, description })
          : api.createApplication(portfolio?.id ?? '', name, description)
      }
      onClose={onClose}
      onSaved={onSaved}
    >
      {!app ? <p className="muted small">A production environment is created with the application.</p> : null}
    </NameDescriptionDialog>
  );
}

export function ApplicationsPage() {
  const { api, portfolio, isPortfolioAdmin } = useSession();
  const apps = useLoad(
    () => (portfolio?.id ? api.applications(portfolio.id) : Promise.resolve([])),
    [portfolio?.id],
  );
  const [editing, setEditing] = useState<Application | 'new' | undefined>(undefined);
  const [deleting, setDeleting] = useState<Application | undefined>(undefined);
  const toast = useToast();
  const admin = isPortfolioAdmin(portfolio?.id);

  if (!portfolio) {
    return (
      <>
        <PageHeader title="Applications" />
        <Empty title="You are not in any portfolio yet">
          <p>Ask an administrator to add you to a group in a portfolio.</p>
        </Empty>
      </>
    );
  }
  return (
    <>
      <PageHeader
        title="Applications"
        subtitle={`in ${portfolio.name}`}
        actions={
          admin ? (
            <Button
              variant="primary"
              icon="plus"
              onClick={() => setEditing('new')}
              data-testid="create-application"
            >
              Create application
            </Button>
          ) : null
        }
      />
      <LoadGate loaded={apps}>
        {(list) =>
          list.length === 0 ? (
            <Empty title="No applications yet">
              <p>
                {admin
                  ? 'Create the first application of this portfolio.'
                  : 'You have no access to any application in this portfolio.'}
              </p>
            </Empty>
          ) : (
            <ul className="card-grid" data-testid="application-list">
              {list.map((a) => (
                <li key={a.id} className="card app-card" data-testid="application-card">
                  <div className="card-title-row">
                    <h2 className="card-title">
                      <Link
                        href={`/apps/${encodeURIComponent(a.id ?? '')}/features`}
                        onClick={() => rememberApp(a.id ?? '')}
                        data-testid="application-open"
                      >
                        {a.name}
                      </Link>
                    </h2>
                    {admin ? (
                      <div className="card-actions">
                        <EditDeleteButtons
                          name={a.name}
                          testId="application"
                          onEdit={() => setEditing(a)}
                          onDelete={() => setDeleting(a)}
                        />
                      </div>
                    ) : null}
                  </div>
                  {a.description ? <p className="muted">{a.description}</p> : null}
                  <div className="card-meta">
                    <span>{plural(a.environments?.length ?? 0, 'environment')}</span>
                    {a.features ? <span>{plural(a.features.length, 'feature')}</span> : null}
                  </div>
                  <div className="card-links">
                    <Link
                      href={`/apps/${encodeURIComponent(a.id ?? '')}/features`}
                      onClick={() => rememberApp(a.id ?? '')}
                    >
                      Features
                    </Link>
                    <Link
                      href={`/apps/${encodeURIComponent(a.id ?? '')}/environments`}
                      onClick={() => rememberApp(a.id ?? '')}
                    >
                      Environments
                    </Link>
                  </div>
                </li>
              ))}
            </ul>
          )
        }
      </LoadGate>
      {editing ? (
        <ApplicationDialog
          {...(editing === 'new' ? {} : { app: editing })}
          onClose={() => setEditing(undefined)}
          onSaved={(saved) => {
            const created = editing === 'new';
            setEditing(undefined);
            toast(created ? `Created ${saved.name}` : `Saved ${saved.name}`);
            applicationsChanged();
            if (created && saved.id) {
              rememberApp(saved.id);
              navigate(`/apps/${encodeURIComponent(saved.id)}/features`);
            } else apps.reload();
          }}
        />
      ) : null}
      {deleting ? (
        <ConfirmDialog
          title="Delete application"
          message={
            <p>
              Delete <strong>{deleting.name}</strong> with all its environments, features and values? SDKs
              using its API keys stop receiving features.
            </p>
          }
          confirmLabel="Delete application"
          onClose={() => setDeleting(undefined)}
          onConfirm={async () => {
            await api.deleteApplication(deleting.id ?? '');
            toast(`Deleted ${deleting.name}`);
            apps.reload();
            applicationsChanged();
          }}
        />
      ) : null}
    </>
  );
}
