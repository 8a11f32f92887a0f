/** Matches `/apps/:appId/features` against a path; returns the decoded parameters or undefined. */
export function matchPath(pattern: string, pathname: string): Record<string, string> | undefined {
  const pp = pattern.split('/').filter((s) => s !== '');
  const sp = pathname.split('/').filter((s) => s !== '');
  if (pp.length !== sp.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pp.length; i++) {
    const p = pp[i] as string;
    const s = sp[i] as string;
    if (p.startsWith(':')) {
      try {
        params[p.slice(1)] = decodeURIComponent(s);
      } catch {
        return undefined;
      }
    } else if (p !== s) return undefined;
  }
  return params;
}

/** Only same-site paths may be a post-login destination, so a crafted link cannot send people elsewhere. */
export function safeNext(next: string | null | undefined): string {
  if (next === null || next === undefined || !next.startsWith('/') || next.startsWith('//')) return '/';
  if (next.startsWith('/login') || next.startsWith('/setup')) return '/';
  return next;
}
