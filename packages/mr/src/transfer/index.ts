export {
  type ReadFromServerOptions,
  type ReadFromServerResult,
  readFromServer,
  SourceReadError,
} from './read-from-server.ts';
export { type ExportOptions, exportTransferDocument } from './transfer-export.ts';
export {
  formatTransferDocument,
  MAX_TRANSFER_FILE_BYTES,
  parseTransferDocument,
  TRANSFER_FORMAT,
  type TransferDocument,
  TransferFileError,
  type TransferGroup,
  type TransferPerson,
  transferJsonSchema,
} from './transfer-format.ts';
export {
  type ImportOptions,
  type ImportProgress,
  type ImportReport,
  importTransferDocument,
  type KindCounts,
  TransferConflictError,
  type TransferKind,
} from './transfer-import.ts';
