// A browser without a page, for sign-in flows over plain HTTP: it keeps cookies per host name (as browsers do,
// whatever the port), sends them back, and follows redirects one hop at a time so a test can stop at any hop.
import { createServer } from 'node:net';

export interface Hop {
  url: string;
  status: number;
  location?: string;
  setCookies: string[];
}

export class HttpBrowser {
  readonly #cookies = new Map<string, Map<string, string>>();

  cookie(url: string, name: string): string | undefined {
    return this.#cookies.get(new URL(url).hostname)?.get(name);
  }

  /** One request: cookies in, Set-Cookie out, redirects not followed. */
  async request(
    url: string,
    init: { method?: string; headers?: Record<string, string>; body?: string } = {},
  ) {
    const host = new URL(url).hostname;
    const jar = this.#cookies.get(host) ?? new Map<string, string>();
    this.#cookies.set(host, jar);
    const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(url, {
      ...init,
      headers: { ...init.headers, ...(cookie ? { cookie } : {}) },
      redirect: 'manual',
    });
    const setCookies = res.headers.getSetCookie();
    for (const line of setCookies) {
      const [pair, ...attributes] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a));
      if (expired || value === '') jar.delete(name);
      else jar.set(name, value);
    }
    return { res, setCookies };
  }

  /**
   * Follows redirects from `url` until `stop(hop)` says so (or a page that does not redirect) and returns every
   * hop; the hop stop() chose is the last, and was not followed.
   */
  async navigate(url: string, stop: (next: URL) => boolean = () => false): Promise<Hop[]> {
    const hops: Hop[] = [];
    let current = url;
    for (let i = 0; i < 20; i++) {
      const { res, setCookies } = await this.request(current);
      await res.arrayBuffer();
      const location = res.headers.get('location') ?? undefined;
      hops.push({ url: current, status: res.status, setCookies, ...(location ? { location } : {}) });
      if (!location || res.status < 300 || res.status >= 400) return hops;
      const next = new URL(location, current);
      if (stop(next)) return hops;
      current = next.href;
    }
    throw new Error(`more than 20 redirects from ${url}`);
  }
}

/** A port nothing listens on right now, for a server whose own address must be in its configuration. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}
