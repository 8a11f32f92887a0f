export interface LockfileEntry {
  version?: string;
  link?: boolean;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  [key: string]: unknown;
}
export interface SplitMajor {
  name: string;
  copies: { path: string; version: string }[];
}
export function majorOf(version: string): string;
export function findSplitMajors(lock: { packages?: Record<string, LockfileEntry> }): SplitMajor[];
