import { useState } from 'react';
import type { Portfolio } from '../api/types.ts';
import { nameProblem } from '../lib/validation.ts';
import { Button, IconButton } from '../ui/buttons.tsx';
import { Empty, LoadGate, useToast } from '../ui/feedback.tsx';
import { NameDescriptionFields } from '../ui/forms.tsx';
import { useAction, useLoad } from '../ui/hooks.ts';
import { ConfirmDialog, FormDialog } from '../ui/overlays.tsx';
import { PageHeader } from '../ui/page-header.tsx';
import { useSession } from '../ui/session.tsx';

function PortfolioDialog({
  portfolio,
  onClose,
  onSaved,
}: {
  portfolio?: Portfolio;
  onClose: () => void;
  onSaved: (p: Portfolio) => void;
}) {
  const { api } = useSession();
  const [name, setName] = useState(portfolio?.name ?? '');
  const [description, setDescription] = useState(portfolio?.description ?? '');
  const problem = nameProblem(name, 'portfolio', 200);
  const action = useAction(async () => {
    const saved = portfolio
      ? await api.updatePortfolio({ ...portfolio, name: name.trim(), description: description.trim() })
      : await api.createPortfolio(name.trim(), description.trim());
    onSaved(saved);
  });
  return (
    <FormDialog
      title={portfolio ? 'Edit portfolio' : 'Create portfolio'}
      onClose={onClose}
      action={action}
      invalid={Boolean(problem)}
      submitLabel={portfolio ? 'Save' : 'Create'}
      submitTestId="portfolio-save"
      testId="portfolio-dialog"
    >
      {(tried) => (
        <>
          <NameDescriptionFields
            name={name}
            description={description}
            onName={setName}
            onDescription={setDescription}
            nameError={tried ? problem : undefined}
            testIds={['portfolio-name', 'portfolio-description']}
          />
          {!portfolio ? <p className="muted small">An administrators group is created with it.</p> : null}
        </>
      )}
    </FormDialog>
  );
}

export function PortfoliosPage() {
  const { api, refreshPortfolios, choosePortfolio } = useSession();
  const toast = useToast();
  const list = useLoad(() => api.portfolios(), []);
  const [dialog, setDialog] = useState<Portfolio | 'new' | undefined>(undefined);
  const [deleting, setDeleting] = useState<Portfolio | undefined>(undefined);
  return (
    <>
      <PageHeader
        title="Portfolios"
        actions={
          <Button
            variant="primary"
            icon="plus"
            onClick={() => setDialog('new')}
            data-testid="create-portfolio"
          >
            Create portfolio
          </Button>
        }
      />
      <LoadGate loaded={list}>
        {(ps) =>
          ps.length === 0 ? (
            <Empty title="No portfolios" />
          ) : (
            <div className="table-wrap">
              <table className="data-table" data-testid="portfolio-list">
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Description</th>
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {ps.map((p) => (
                    <tr key={p.id} data-testid="portfolio-row">
                      <td>
                        <button
                          type="button"
                          className="link-button"
                          onClick={() => p.id && choosePortfolio(p.id)}
                          title="Switch to this portfolio"
                        >
                          {p.name}
                        </button>
                      </td>
                      <td className="muted">{p.description}</td>
                      <td className="actions-cell">
                        <IconButton
                          icon="edit"
                          label={`Edit ${p.name}`}
                          onClick={() => setDialog(p)}
                          data-testid="portfolio-edit"
                        />
                        <IconButton
                          icon="trash"
                          label={`Delete ${p.name}`}
                          onClick={() => setDeleting(p)}
                          data-testid="portfolio-delete"
                        />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </LoadGate>
      {dialog ? (
        <PortfolioDialog
          {...(dialog === 'new' ? {} : { portfolio: dialog })}
          onClose={() => setDialog(undefined)}
          onSaved={(p) => {
            toast(dialog === 'new' ? `Created ${p.name}` : `Saved ${p.name}`);
            setDialog(undefined);
            list.reload();
            void refreshPortfolios();
          }}
        />
      ) : null}
      {deleting ? (
        <ConfirmDialog
          title="Delete portfolio"
          message={
            <p>
              Delete <strong>{deleting.name}</strong> with all its applications, groups and service accounts?
              This cannot be undone here.
            </p>
          }
          confirmLabel="Delete portfolio"
          onClose={() => setDeleting(undefined)}
          onConfirm={async () => {
            await api.deletePortfolio(deleting.id ?? '');
            toast(`Deleted ${deleting.name}`);
            list.reload();
            await refreshPortfolios();
          }}
        />
      ) : null}
    </>
  );
}
