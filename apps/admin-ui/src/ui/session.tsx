import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { errorMessage } from '../api/errors.ts';
import { HttpClient, storageTokenStore } from '../api/http.ts';
import { MrApi } from '../api/mr-api.ts';
import type { Person, Portfolio, SetupResponse, TokenizedPerson } from '../api/types.ts';
import { navigate } from './router.tsx';
import { takeSsoHandoff } from './sso-handoff.ts';

export type SessionStatus = 'loading' | 'setup' | 'anonymous' | 'reset-password' | 'ready' | 'offline';

export interface Session {
  api: MrApi;
  status: SessionStatus;
  /** Why the session could not start (server unreachable), shown with a retry button. */
  startError: string | undefined;
  setup: SetupResponse | undefined;
  person: Person | undefined;
  portfolios: Portfolio[];
  portfolio: Portfolio | undefined;
  isSuperuser: boolean;
  /** Superusers and members of the portfolio's administrators group. */
  isPortfolioAdmin: (portfolioId: string | undefined) => boolean;
  /** Admin of any portfolio: may manage people and admin service accounts. */
  isAnyAdmin: boolean;
  choosePortfolio: (id: string) => void;
  refreshPortfolios: () => Promise<void>;
  refreshPerson: () => Promise<void>;
  signedIn: (tp: TokenizedPerson) => Promise<void>;
  signOut: () => Promise<void>;
  restart: () => void;
}

const SessionContext = createContext<Session | undefined>(undefined);
const PORTFOLIO_KEY = 'fh.portfolio';

function localStore(): Storage | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined;
  }
}

function personId(p: Person | undefined): string | undefined {
  return p?.id?.id;
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const api = useMemo(() => {
    const tokens = storageTokenStore(localStore());
    const handedOver = takeSsoHandoff();
    if (handedOver) tokens.set(handedOver);
    return new MrApi(
      new HttpClient({ fetch: (url, init) => window.fetch(url, init), baseUrl: '/mr-api', tokens }),
    );
  }, []);
  const [status, setStatus] = useState<SessionStatus>('loading');
  const [startError, setStartError] = useState<string | undefined>(undefined);
  const [setup, setSetup] = useState<SetupResponse | undefined>(undefined);
  const [person, setPerson] = useState<Person | undefined>(undefined);
  const [portfolios, setPortfolios] = useState<Portfolio[]>([]);
  const [portfolioId, setPortfolioId] = useState<string | undefined>(
    () => localStore()?.getItem(PORTFOLIO_KEY) ?? undefined,
  );
  const [attempt, setAttempt] = useState(0);

  const loadPortfolios = useCallback(async () => {
    const list = await api.portfolios();
    setPortfolios(list);
    setPortfolioId((current) => {
      const keep = list.find((p) => p.id === current);
      return keep?.id ?? list[0]?.id;
    });
  }, [api]);

  const enter = useCallback(
    async (p: Person) => {
      setPerson(p);
      if (p.passwordRequiresReset) {
        setStatus('reset-password');
        return;
      }
      await loadPortfolios();
      setStatus('ready');
    },
    [loadPortfolios],
  );

  useEffect(() => {
    api.http.onUnauthorized = () => {
      setPerson(undefined);
      setStatus('anonymous');
      const here = window.location.pathname + window.location.search;
      if (!here.startsWith('/login')) navigate(`/login?next=${encodeURIComponent(here)}`, { replace: true });
    };
  }, [api]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `attempt` re-runs the start-up on retry
  useEffect(() => {
    let cancelled = false;
    (async () => {
      setStatus('loading');
      setStartError(undefined);
      try {
        const state = await api.setupState();
        if (cancelled) return;
        if (!state.installed) {
          setStatus('setup');
          return;
        }
        setSetup(state.setup);
        if (api.http.tokens.get() === undefined) {
          setStatus('anonymous');
          return;
        }
        const me = await api.self();
        if (!cancelled) await enter(me);
      } catch (e) {
        if (cancelled) return;
        if (api.http.tokens.get() === undefined) setStatus('anonymous');
        else {
          setStartError(errorMessage(e));
          setStatus('offline');
        }
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [api, attempt, enter]);

  useEffect(() => {
    if (portfolioId) localStore()?.setItem(PORTFOLIO_KEY, portfolioId);
  }, [portfolioId]);

  const groups = person?.groups ?? [];
  const orgGroupId = setup?.organization.orgGroup?.id;
  const isSuperuser = groups.some(
    (g) => (g.admin && !g.portfolioId) || (orgGroupId !== undefined && g.id === orgGroupId),
  );
  const isPortfolioAdmin = useCallback(
    (pid: string | undefined) =>
      isSuperuser || groups.some((g) => g.admin && pid !== undefined && g.portfolioId === pid),
    [isSuperuser, groups],
  );
  const isAnyAdmin = isSuperuser || groups.some((g) => g.admin);

  const session: Session = {
    api,
    status,
    startError,
    setup,
    person,
    portfolios,
    portfolio: portfolios.find((p) => p.id === portfolioId) ?? portfolios[0],
    isSuperuser,
    isPortfolioAdmin,
    isAnyAdmin,
    choosePortfolio: (id) => setPortfolioId(id),
    refreshPortfolios: loadPortfolios,
    refreshPerson: async () => {
      setPerson(await api.self());
    },
    signedIn: async (tp) => {
      if (tp.accessToken) api.http.tokens.set(tp.accessToken);
      if (!setup) {
        const state = await api.setupState();
        if (state.installed) setSetup(state.setup);
      }
      // The login answer carries the person, but not always with groups: ask for the full record.
      const me = tp.person?.passwordRequiresReset ? tp.person : await api.self();
      await enter(me);
    },
    signOut: async () => {
      try {
        await api.logout();
      } catch {
        // the token is dropped locally either way
      }
      api.http.tokens.clear();
      setPerson(undefined);
      setPortfolios([]);
      setStatus('anonymous');
      navigate('/login', { replace: true });
    },
    restart: () => setAttempt((a) => a + 1),
  };
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}

/** Whether people sign in with a password here (local login is on unless the server lists only SSO providers). */
export function localLoginOffered(setup: SetupResponse | undefined): boolean {
  return setup === undefined || setup.providers.length === 0 || setup.providers.includes('local');
}

export function useApi(): MrApi {
  return useSession().api;
}

export { personId };
