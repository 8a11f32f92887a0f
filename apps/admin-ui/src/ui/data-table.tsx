import type { ReactNode } from 'react';
import { IconButton } from './buttons.tsx';

/**
 * The list table of a page: the named columns plus a last column of buttons, named only for screen
 * readers (`lastColumn`, "Actions" unless given); `children` are the rows.
 */
export function DataTable({
  columns,
  lastColumn = 'Actions',
  testId,
  children,
}: {
  columns: readonly string[];
  lastColumn?: string;
  testId: string;
  children: ReactNode;
}) {
  return (
    <div className="table-wrap">
      <table className="data-table" data-testid={testId}>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c} scope="col">
                {c}
              </th>
            ))}
            <th scope="col">
              <span className="visually-hidden">{lastColumn}</span>
            </th>
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

/** Edit and delete buttons for one named item; test ids `<testId>-edit` and `<testId>-delete`. */
export function EditDeleteButtons({
  name,
  testId,
  onEdit,
  onDelete,
}: {
  name: string | undefined;
  testId: string;
  onEdit: () => void;
  onDelete: () => void;
}) {
  return (
    <>
      <IconButton icon="edit" label={`Edit ${name}`} onClick={onEdit} data-testid={`${testId}-edit`} />
      <IconButton icon="trash" label={`Delete ${name}`} onClick={onDelete} data-testid={`${testId}-delete`} />
    </>
  );
}
