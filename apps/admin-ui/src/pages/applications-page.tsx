import { useState } from 'react';
import type { Application } from '../api/types.ts';
import { plural } from '../lib/format.ts';
import { nameProblem } from '../lib/validation.ts';
import { Button, IconButton } from '../ui/buttons.tsx';
import { Empty, LoadGate, useToast } from '../ui/feedback.tsx';
import { NameDescriptionFields } from '../ui/forms.tsx';
import { useAction, useLoad } from '../ui/hooks.ts';
import { applicationsChanged, rememberApp } from '../ui/layout.tsx';
import { ConfirmDialog, FormDialog } from '../ui/overlays.tsx';
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
  const [name, setName] = useState(app?.name ?? '');
  const [description, setDescription] = useState(app?.description ?? '');
  const problem = nameProblem(name, 'application', 100);
  const action = useAction(async () => {
    const saved = app?.id
      ? await api.updateApplication({
          ...app,
          id: app.id,
          name: name.trim(),
          description: description.trim(),
        })
      : await api.createApplication(portfolio?.id ?? '', name.trim(), description.trim());
    onSaved(saved);
  });
  return (
    <FormDialog
      title={app ? 'Edit application' : 'Create application'}
      onClose={onClose}
      action={action}
      invalid={Boolean(problem)}
      submitLabel={app ? 'Save' : 'Create'}
      submitTestId="application-save"
      testId="application-dialog"
    >
      {(tried) => (
        <>
          <NameDescriptionFields
            name={name}
            description={description}
            onName={setName}
            onDescription={setDescription}
            nameError={tried ? problem : undefined}
            testIds={['application-name', 'application-description']}
            rows={3}
            required
          />
          {!app ? (
            <p className="muted small">A production environment is created with the application.</p>
          ) : null}
        </>
      )}
    </FormDialog>
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
                        <IconButton
                          icon="edit"
                          label={`Edit ${a.name}`}
                          onClick={() => setEditing(a)}
                          data-testid="application-edit"
                        />
                        <IconButton
                          icon="trash"
                          label={`Delete ${a.name}`}
                          onClick={() => setDeleting(a)}
                          data-testid="application-delete"
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
