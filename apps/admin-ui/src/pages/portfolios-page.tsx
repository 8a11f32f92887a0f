import { useState } from 'react';
import type { Portfolio } from '../api/types.ts';
import { Button } from '../ui/buttons.tsx';
import { DataTable, EditDeleteButtons } from '../ui/data-table.tsx';
import { Empty, LoadGate, useToast } from '../ui/feedback.tsx';
import { useLoad } from '../ui/hooks.ts';
import { NameDescriptionDialog } from '../ui/name-description-dialog.tsx';
import { ConfirmDialog } from '../ui/overlays.tsx';
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
  return (
    <NameDescriptionDialog
      noun="portfolio"
      testId="portfolio"
      editing={portfolio}
      maxLength={200}
      save={(name, description) =>
        portfolio
          ? api.updatePortfolio({ ...portfolio, name, description })
          : api.createPortfolio(name, description)
      }
      onClose={onClose}
      onSaved={onSaved}
    >
      {!portfolio ? <p className="muted small">An administrators group is created with it.</p> : null}
    </NameDescriptionDialog>
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
            <DataTable columns={['Name', 'Description']} testId="portfolio-list">
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
                    <EditDeleteButtons
                      name={p.name}
                      testId="portfolio"
                      onEdit={() => setDialog(p)}
                      onDelete={() => setDeleting(p)}
                    />
                  </td>
                </tr>
              ))}
            </DataTable>
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
