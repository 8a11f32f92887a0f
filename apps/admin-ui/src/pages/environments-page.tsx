import { useEffect, useState } from 'react';
import type { Environment } from '../api/types.ts';
import { orderingLinks, promotionOrder } from '../lib/format.ts';
import { moveItem } from '../lib/strategy-form.ts';
import { Button, IconButton } from '../ui/buttons.tsx';
import { EditDeleteButtons } from '../ui/data-table.tsx';
import { Badge, Empty, ErrorBanner, LoadGate, useToast } from '../ui/feedback.tsx';
import { Checkbox } from '../ui/forms.tsx';
import { useAction, useLoad } from '../ui/hooks.ts';
import { Icon } from '../ui/icons.tsx';
import { rememberApp } from '../ui/layout.tsx';
import { NameDescriptionDialog } from '../ui/name-description-dialog.tsx';
import { ConfirmDialog } from '../ui/overlays.tsx';
import { PageHeader } from '../ui/page-header.tsx';
import { useDragReorder } from '../ui/reorder.ts';
import { useSession } from '../ui/session.tsx';

function EnvironmentDialog({
  appId,
  env,
  last,
  onClose,
  onSaved,
}: {
  appId: string;
  env?: Environment;
  last?: Environment;
  onClose: () => void;
  onSaved: (e: Environment) => void;
}) {
  const { api } = useSession();
  const [production, setProduction] = useState(env?.production ?? false);
  return (
    <NameDescriptionDialog
      noun="environment"
      testId="environment"
      editing={env}
      maxLength={150}
      required
      save={(name, description) =>
        env?.id
          ? api.updateEnvironment(appId, {
              id: env.id,
              version: env.version ?? 0,
              name,
              description,
              production,
            })
          : api.createEnvironment(appId, {
              name,
              description,
              production,
              ...(last?.id ? { priorEnvironmentId: last.id } : {}),
            })
      }
      onClose={onClose}
      onSaved={onSaved}
    >
      <Checkbox
        label="Production environment"
        hint=" — marked in the console and protected by an extra warning on delete."
        checked={production}
        onChange={setProduction}
        testId="environment-production"
      />
      {!env ? (
        <p className="muted small">
          New environments go at the end of the promotion order; drag them to move.
        </p>
      ) : null}
    </NameDescriptionDialog>
  );
}

export function EnvironmentsPage({ appId }: { appId: string }) {
  const { api, portfolio, isPortfolioAdmin } = useSession();
  const toast = useToast();
  const admin = isPortfolioAdmin(portfolio?.id);
  useEffect(() => rememberApp(appId), [appId]);
  const app = useLoad(() => api.getApplication(appId), [appId]);
  const envs = useLoad(async () => promotionOrder(await api.environments(appId)), [appId]);
  const [order, setOrder] = useState<Environment[] | undefined>(undefined);
  const [editing, setEditing] = useState<Environment | 'new' | undefined>(undefined);
  const [deleting, setDeleting] = useState<Environment | undefined>(undefined);
  const list = order ?? envs.data ?? [];
  const dirty = order !== undefined;
  const { itemProps } = useDragReorder(list, (next) => setOrder(next));
  const saveOrder = useAction(async () => {
    const saved = await api.orderEnvironments(appId, orderingLinks(list));
    envs.setData(promotionOrder(saved && saved.length > 0 ? saved : list));
    setOrder(undefined);
    toast('Saved the environment order');
  });

  return (
    <>
      <PageHeader
        title="Environments"
        subtitle={app.data?.name ? `${app.data.name} · in promotion order` : 'in promotion order'}
        actions={
          admin ? (
            <Button
              variant="primary"
              icon="plus"
              onClick={() => setEditing('new')}
              data-testid="create-environment"
            >
              Create environment
            </Button>
          ) : null
        }
      />
      <LoadGate loaded={envs}>
        {() =>
          list.length === 0 ? (
            <Empty title="No environments" />
          ) : (
            <div className="stack">
              <ol className="env-list" data-testid="environment-list">
                {list.map((e, i) => (
                  <li
                    key={e.id}
                    className="env-item"
                    data-testid="environment-item"
                    {...(admin ? itemProps(i) : {})}
                  >
                    {admin ? (
                      <span className="drag-handle" aria-hidden="true" title="Drag to reorder">
                        <Icon name="drag" />
                      </span>
                    ) : null}
                    <span className="env-pos" aria-hidden="true">
                      {i + 1}
                    </span>
                    <div className="env-main">
                      <div className="env-name">
                        {e.name} {e.production ? <Badge tone="accent">production</Badge> : null}
                      </div>
                      {e.description ? <div className="muted small">{e.description}</div> : null}
                    </div>
                    {admin ? (
                      <div className="env-actions">
                        <IconButton
                          icon="up"
                          label={`Move ${e.name} earlier`}
                          disabled={i === 0}
                          onClick={() => setOrder(moveItem(list, i, i - 1))}
                          data-testid="environment-up"
                        />
                        <IconButton
                          icon="down"
                          label={`Move ${e.name} later`}
                          disabled={i === list.length - 1}
                          onClick={() => setOrder(moveItem(list, i, i + 1))}
                          data-testid="environment-down"
                        />
                        <EditDeleteButtons
                          name={e.name}
                          testId="environment"
                          onEdit={() => setEditing(e)}
                          onDelete={() => setDeleting(e)}
                        />
                      </div>
                    ) : null}
                  </li>
                ))}
              </ol>
              {dirty ? (
                <div className="row sticky-actions">
                  <span className="muted">The order has changed.</span>
                  <Button onClick={() => setOrder(undefined)}>Undo</Button>
                  <Button
                    variant="primary"
                    busy={saveOrder.busy}
                    onClick={() => void saveOrder.run()}
                    data-testid="environment-order-save"
                  >
                    Save order
                  </Button>
                </div>
              ) : null}
              <ErrorBanner error={saveOrder.error} />
            </div>
          )
        }
      </LoadGate>
      {editing ? (
        <EnvironmentDialog
          appId={appId}
          {...(editing === 'new'
            ? list.length > 0
              ? { last: list[list.length - 1] as Environment }
              : {}
            : { env: editing })}
          onClose={() => setEditing(undefined)}
          onSaved={(e) => {
            toast(editing === 'new' ? `Created ${e.name}` : `Saved ${e.name}`);
            setEditing(undefined);
            setOrder(undefined);
            envs.reload();
          }}
        />
      ) : null}
      {deleting ? (
        <ConfirmDialog
          title="Delete environment"
          message={
            <>
              <p>
                Delete <strong>{deleting.name}</strong>? Its feature values and API key permissions go with
                it, and SDKs using it stop receiving features.
              </p>
              {deleting.production ? <p className="warn-text">This is a production environment.</p> : null}
            </>
          }
          confirmLabel="Delete environment"
          onClose={() => setDeleting(undefined)}
          onConfirm={async () => {
            await api.deleteEnvironment(deleting.id ?? '');
            toast(`Deleted ${deleting.name}`);
            setOrder(undefined);
            envs.reload();
          }}
        />
      ) : null}
    </>
  );
}
