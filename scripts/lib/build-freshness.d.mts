export const builtOutputs: string[];
export function staleBuildReason(root: string): string | undefined;
