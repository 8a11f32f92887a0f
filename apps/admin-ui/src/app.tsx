import { type ReactNode, useEffect } from 'react';
import { matchPath } from './lib/route-match.ts';
import { AccountPage } from './pages/account-page.tsx';
import { AdminServiceAccountsPage } from './pages/admin-service-accounts-page.tsx';
import { AppStrategiesPage } from './pages/app-strategies-page.tsx';
import { ApplicationsPage } from './pages/applications-page.tsx';
import {
  ForgotPasswordPage,
  LoginPage,
  OfflinePage,
  RegisterPage,
  ReplacePasswordPage,
  SetupPage,
} from './pages/auth-pages.tsx';
import { EnvironmentsPage } from './pages/environments-page.tsx';
import { FeatureFiltersPage } from './pages/feature-filters-page.tsx';
import { FeatureGroupsPage } from './pages/feature-groups-page.tsx';
import { FeaturesPage } from './pages/features/features-page.tsx';
import { GroupsPage } from './pages/groups-page.tsx';
import { ImportExportPage } from './pages/import-export-page.tsx';
import { IntegrationsPage } from './pages/integrations-page.tsx';
import { PortfoliosPage } from './pages/portfolios-page.tsx';
import { ApiKeysPage, ServiceAccountsPage } from './pages/service-accounts-page.tsx';
import { SystemConfigPage } from './pages/system-config-page.tsx';
import { UsersPage } from './pages/users-page.tsx';
import { Empty, Loading, ToastProvider } from './ui/feedback.tsx';
import { Shell } from './ui/layout.tsx';
import { Link, navigate, useLocation } from './ui/router.tsx';
import { SessionProvider, useSession } from './ui/session.tsx';

interface Route {
  path: string;
  title: string;
  render: (params: Record<string, string>) => ReactNode;
  /** Who may open it; others see "not allowed" rather than a page of errors. */
  allow?: 'superuser' | 'anyAdmin' | 'portfolioAdmin';
}

const ROUTES: Route[] = [
  { path: '/applications', title: 'Applications', render: () => <ApplicationsPage /> },
  {
    path: '/apps/:appId/features',
    title: 'Features',
    render: (p) => <FeaturesPage key={p['appId']} appId={p['appId'] ?? ''} />,
  },
  {
    path: '/apps/:appId/environments',
    title: 'Environments',
    render: (p) => <EnvironmentsPage key={p['appId']} appId={p['appId'] ?? ''} />,
  },
  {
    path: '/apps/:appId/strategies',
    title: 'Application strategies',
    render: (p) => <AppStrategiesPage key={p['appId']} appId={p['appId'] ?? ''} />,
  },
  {
    path: '/apps/:appId/feature-groups',
    title: 'Feature groups',
    render: (p) => <FeatureGroupsPage key={p['appId']} appId={p['appId'] ?? ''} />,
  },
  {
    path: '/apps/:appId/api-keys',
    title: 'API keys',
    render: (p) => <ApiKeysPage key={p['appId']} appId={p['appId'] ?? ''} />,
  },
  {
    path: '/apps/:appId/integrations',
    title: 'Integrations',
    render: (p) => <IntegrationsPage key={p['appId']} appId={p['appId'] ?? ''} />,
    allow: 'portfolioAdmin',
  },
  {
    path: '/apps/:appId/import-export',
    title: 'Import and export',
    render: (p) => <ImportExportPage key={p['appId']} appId={p['appId'] ?? ''} />,
    allow: 'superuser',
  },
  { path: '/system-config', title: 'System config', render: () => <SystemConfigPage />, allow: 'superuser' },
  { path: '/groups', title: 'Groups', render: () => <GroupsPage />, allow: 'portfolioAdmin' },
  {
    path: '/service-accounts',
    title: 'Service accounts',
    render: () => <ServiceAccountsPage />,
    allow: 'portfolioAdmin',
  },
  {
    path: '/feature-filters',
    title: 'Feature filters',
    render: () => <FeatureFiltersPage />,
    allow: 'portfolioAdmin',
  },
  { path: '/users', title: 'Users', render: () => <UsersPage />, allow: 'anyAdmin' },
  {
    path: '/admin-service-accounts',
    title: 'Admin service accounts',
    render: () => <AdminServiceAccountsPage />,
    allow: 'anyAdmin',
  },
  { path: '/portfolios', title: 'Portfolios', render: () => <PortfoliosPage />, allow: 'superuser' },
  { path: '/account', title: 'Your account', render: () => <AccountPage /> },
];

const PUBLIC = ['/login', '/setup', '/register-url', '/forgot-password'];

function useTitle(title: string) {
  useEffect(() => {
    document.title = `${title} · FeatureHub`;
  }, [title]);
}

function Routed() {
  const session = useSession();
  const { pathname, search } = useLocation();
  const { status } = session;

  // Send people to the screen their session state allows, without a page load.
  useEffect(() => {
    if (status === 'setup' && pathname !== '/setup') navigate('/setup', { replace: true });
    else if (status !== 'setup' && status !== 'loading' && pathname === '/setup')
      navigate('/', { replace: true });
    else if (status === 'anonymous' && !PUBLIC.includes(pathname)) {
      const here = pathname + (search.toString() ? `?${search}` : '');
      navigate(pathname === '/' ? '/login' : `/login?next=${encodeURIComponent(here)}`, { replace: true });
    } else if (status === 'ready' && (pathname === '/' || pathname === '/login')) {
      navigate('/applications', { replace: true });
    }
  }, [status, pathname, search]);

  const route = ROUTES.map((r) => ({ r, params: matchPath(r.path, pathname) })).find(
    (x) => x.params !== undefined,
  );
  useTitle(
    status === 'setup'
      ? 'Set up'
      : status === 'anonymous'
        ? pathname === '/register-url'
          ? 'Register'
          : 'Sign in'
        : (route?.r.title ?? 'FeatureHub'),
  );

  if (status === 'loading') return <Loading label="Starting…" />;
  if (status === 'offline') return <OfflinePage />;
  if (status === 'setup') return <SetupPage />;
  if (pathname === '/register-url') return <RegisterPage />;
  if (pathname === '/forgot-password') return <ForgotPasswordPage />;
  if (status === 'anonymous') return <LoginPage />;
  if (status === 'reset-password') return <ReplacePasswordPage />;

  if (!route) {
    return (
      <Shell>
        <Empty title="Page not found">
          <p>
            <Link href="/applications">Go to the applications</Link>
          </p>
        </Empty>
      </Shell>
    );
  }
  const allowed =
    route.r.allow === undefined ||
    (route.r.allow === 'superuser' && session.isSuperuser) ||
    (route.r.allow === 'anyAdmin' && session.isAnyAdmin) ||
    (route.r.allow === 'portfolioAdmin' && session.isPortfolioAdmin(session.portfolio?.id));
  return (
    <Shell appId={route.params?.['appId']}>
      {allowed ? (
        route.r.render(route.params ?? {})
      ) : (
        <Empty title="Not allowed">
          <p>You need administrator rights for this page.</p>
        </Empty>
      )}
    </Shell>
  );
}

export function App() {
  return (
    <SessionProvider>
      <ToastProvider>
        <Routed />
      </ToastProvider>
    </SessionProvider>
  );
}
