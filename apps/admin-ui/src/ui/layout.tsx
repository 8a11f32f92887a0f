import { type ReactNode, useEffect, useId, useState } from 'react';
import { Button } from './buttons.tsx';
import { useLoad } from './hooks.ts';
import { Icon, type IconName } from './icons.tsx';
import { Link, navigate, useLocation } from './router.tsx';
import { useSession } from './session.tsx';

const APP_KEY = 'fh.app';

/** The application the app-scoped pages were last showing, so the menu can offer them. */
export function rememberApp(appId: string): void {
  try {
    window.localStorage.setItem(APP_KEY, appId);
  } catch {
    // not remembered: the menu then offers the first application
  }
}

const APPS_CHANGED = 'fh:applications-changed';

/** Tells the menu's application switcher that applications were created, renamed or deleted. */
export function applicationsChanged(): void {
  window.dispatchEvent(new Event(APPS_CHANGED));
}

function rememberedApp(): string | undefined {
  try {
    return window.localStorage.getItem(APP_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

function NavLink({
  href,
  icon,
  children,
  testId,
}: {
  href: string;
  icon: IconName;
  children: ReactNode;
  testId: string;
}) {
  const { pathname } = useLocation();
  const active = pathname === href || pathname.startsWith(`${href}/`);
  return (
    <Link
      href={href}
      className={active ? 'nav-link nav-active' : 'nav-link'}
      aria-current={active ? 'page' : undefined}
      data-testid={testId}
    >
      <Icon name={icon} />
      <span>{children}</span>
    </Link>
  );
}

function PortfolioSwitcher() {
  const { portfolios, portfolio, choosePortfolio } = useSession();
  const id = useId();
  if (portfolios.length === 0) return null;
  return (
    <div className="portfolio-switcher">
      <label htmlFor={id} className="visually-hidden">
        Portfolio
      </label>
      <Icon name="folder" />
      <select
        id={id}
        value={portfolio?.id ?? ''}
        data-testid="portfolio-switcher"
        onChange={(e) => {
          choosePortfolio(e.target.value);
          navigate('/applications');
        }}
      >
        {portfolios.map((p) => (
          <option key={p.id} value={p.id}>
            {p.name}
          </option>
        ))}
      </select>
    </div>
  );
}

function AppSwitcher({ appId }: { appId: string | undefined }) {
  const { api, portfolio, isSuperuser } = useSession();
  const apps = useLoad(
    () => (portfolio?.id ? api.applications(portfolio.id) : Promise.resolve([])),
    [portfolio?.id],
  );
  const id = useId();
  const { pathname } = useLocation();
  const { reload } = apps;
  useEffect(() => {
    window.addEventListener(APPS_CHANGED, reload);
    return () => window.removeEventListener(APPS_CHANGED, reload);
  }, [reload]);
  // An application made elsewhere (another person, another tab) is fetched once when it is opened.
  const unknown = appId !== undefined && apps.data !== undefined && !apps.data.some((a) => a.id === appId);
  useEffect(() => {
    if (unknown) reload();
  }, [unknown, reload]);
  const list = apps.data ?? [];
  const current = list.find((a) => a.id === appId) ?? list.find((a) => a.id === rememberedApp()) ?? list[0];
  if (!current?.id) return null;
  const section = pathname.match(/^\/apps\/[^/]+\/([^/]+)/)?.[1] ?? 'features';
  const base = `/apps/${encodeURIComponent(current.id)}`;
  return (
    <div className="nav-section">
      <div className="nav-heading">Application</div>
      <label htmlFor={id} className="visually-hidden">
        Application
      </label>
      <select
        id={id}
        className="app-switcher"
        value={current.id}
        data-testid="app-switcher"
        onChange={(e) => {
          rememberApp(e.target.value);
          navigate(`/apps/${encodeURIComponent(e.target.value)}/${section}`);
        }}
      >
        {list.map((a) => (
          <option key={a.id} value={a.id}>
            {a.name}
          </option>
        ))}
      </select>
      <NavLink href={`${base}/features`} icon="flag" testId="nav-features">
        Features
      </NavLink>
      <NavLink href={`${base}/environments`} icon="layers" testId="nav-environments">
        Environments
      </NavLink>
      <NavLink href={`${base}/strategies`} icon="strategy" testId="nav-strategies">
        Application strategies
      </NavLink>
      <NavLink href={`${base}/feature-groups`} icon="grid" testId="nav-feature-groups">
        Feature groups
      </NavLink>
      <NavLink href={`${base}/api-keys`} icon="key" testId="nav-api-keys">
        API keys
      </NavLink>
      <NavLink href={`${base}/integrations`} icon="link" testId="nav-integrations">
        Integrations
      </NavLink>
      {isSuperuser && (
        <NavLink href={`${base}/import-export`} icon="layers" testId="nav-import-export">
          Import and export
        </NavLink>
      )}
    </div>
  );
}

export function Shell({ children, appId }: { children: ReactNode; appId?: string | undefined }) {
  const { person, signOut, isSuperuser, isAnyAdmin, isPortfolioAdmin, portfolio } = useSession();
  const [menuOpen, setMenuOpen] = useState(false);
  const { href } = useLocation();
  // Close the phone drawer whenever the screen changes.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on navigation
  useEffect(() => setMenuOpen(false), [href]);
  const portfolioAdmin = isPortfolioAdmin(portfolio?.id);
  return (
    <div className={menuOpen ? 'shell shell-menu-open' : 'shell'}>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <button
          type="button"
          className="btn btn-ghost btn-icon menu-button"
          aria-label={menuOpen ? 'Close menu' : 'Open menu'}
          aria-expanded={menuOpen}
          aria-controls="sidebar"
          onClick={() => setMenuOpen((o) => !o)}
          data-testid="menu-button"
        >
          <Icon name={menuOpen ? 'x' : 'menu'} />
        </button>
        <Link href="/applications" className="brand" aria-label="FeatureHub home">
          <span className="brand-mark" aria-hidden="true">
            F
          </span>
          <span className="brand-name">FeatureHub</span>
        </Link>
        <PortfolioSwitcher />
        <div className="topbar-spacer" />
        <Link href="/account" className="user-chip" data-testid="account-link" title={person?.email}>
          <span className="avatar" aria-hidden="true">
            {(person?.name ?? person?.email ?? '?').charAt(0).toUpperCase()}
          </span>
          <span className="user-name">{person?.name ?? person?.email}</span>
        </Link>
        <Button
          variant="ghost"
          icon="logout"
          onClick={() => void signOut()}
          data-testid="sign-out"
          aria-label="Sign out"
          title="Sign out"
          className="btn-icon-sm"
        >
          <span className="hide-sm">Sign out</span>
        </Button>
      </header>
      <nav id="sidebar" className="sidebar" aria-label="Main">
        <div className="nav-section">
          <NavLink href="/applications" icon="grid" testId="nav-applications">
            Applications
          </NavLink>
        </div>
        <AppSwitcher appId={appId} />
        {portfolioAdmin ? (
          <div className="nav-section">
            <div className="nav-heading">Portfolio</div>
            <NavLink href="/groups" icon="users" testId="nav-groups">
              Groups
            </NavLink>
            <NavLink href="/service-accounts" icon="robot" testId="nav-service-accounts">
              Service accounts
            </NavLink>
            <NavLink href="/feature-filters" icon="layers" testId="nav-feature-filters">
              Feature filters
            </NavLink>
          </div>
        ) : null}
        {isAnyAdmin ? (
          <div className="nav-section">
            <div className="nav-heading">Organisation</div>
            {isSuperuser ? (
              <NavLink href="/portfolios" icon="folder" testId="nav-portfolios">
                Portfolios
              </NavLink>
            ) : null}
            {isSuperuser ? (
              <NavLink href="/system-config" icon="settings" testId="nav-system-config">
                System config
              </NavLink>
            ) : null}
            <NavLink href="/users" icon="users" testId="nav-users">
              Users
            </NavLink>
            <NavLink href="/admin-service-accounts" icon="key" testId="nav-admin-service-accounts">
              Admin service accounts
            </NavLink>
          </div>
        ) : null}
      </nav>
      <button
        type="button"
        className="scrim"
        aria-hidden="true"
        tabIndex={-1}
        onClick={() => setMenuOpen(false)}
      />
      <main id="main" className="content" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
