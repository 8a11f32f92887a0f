import { type FormEvent, type ReactNode, useState } from 'react';
import { safeNext } from '../lib/route-match.ts';
import { confirmProblem, passwordProblem } from '../lib/validation.ts';
import { Button } from '../ui/buttons.tsx';
import { ErrorBanner, Loading, Notice } from '../ui/feedback.tsx';
import { NewPasswordFields, TextField } from '../ui/forms.tsx';
import { useAction, useLoad } from '../ui/hooks.ts';
import { Link, navigate, useLocation } from '../ui/router.tsx';
import { localLoginOffered, useSession } from '../ui/session.tsx';
import { cssColour, ssoFailureMessage } from '../ui/sso-handoff.ts';

function AuthCard({
  title,
  subtitle,
  children,
}: {
  title: string;
  subtitle?: ReactNode;
  children: ReactNode;
}) {
  return (
    <main className="auth-page">
      <div className="auth-card">
        <div className="brand brand-lg" aria-hidden="true">
          <span className="brand-mark">F</span>
          <span>FeatureHub</span>
        </div>
        <h1>{title}</h1>
        {subtitle ? <p className="muted">{subtitle}</p> : null}
        {children}
      </div>
    </main>
  );
}

export function SetupPage() {
  const { api, signedIn } = useSession();
  // What the start-up's GET /initialize offered (the session asked it before showing this page).
  const offered = api.lastSetupMissing;
  const localOffered = offered?.providers.includes('local') ?? true;
  const ssoOffered = (offered?.providers ?? []).filter((p) => p !== 'local');
  const [step, setStep] = useState(0);
  const [orgName, setOrgName] = useState('');
  const [portfolio, setPortfolio] = useState('');
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [tried, setTried] = useState<Record<number, boolean>>({});
  const action = useAction(async () => {
    const tp = await api.initialize({
      organizationName: orgName.trim(),
      portfolio: portfolio.trim(),
      name: name.trim(),
      emailAddress: email.trim(),
      password,
    });
    await signedIn(tp);
    navigate('/applications', { replace: true });
  });

  const ssoSetup = useAction(async (provider: string) => {
    const r = await api.initialize({
      organizationName: orgName.trim(),
      portfolio: portfolio.trim(),
      authProvider: provider,
    });
    if (r.redirectUrl) window.location.assign(r.redirectUrl);
  });

  const problems: Record<string, string | undefined> = {
    orgName: orgName.trim() === '' ? 'Enter the name of your organisation.' : undefined,
    portfolio: portfolio.trim() === '' ? 'Enter a name for your first portfolio.' : undefined,
    name: name.trim() === '' ? 'Enter your name.' : undefined,
    email: !/^\S+@\S+\.\S+$/.test(email.trim()) ? 'Enter a valid email address.' : undefined,
    password: passwordProblem(password),
    confirm: confirmProblem(password, confirm),
  };
  const stepFields: string[][] = [
    ['orgName', 'portfolio'],
    ['name', 'email'],
    ['password', 'confirm'],
  ];
  const show = (f: string) => (tried[stepFields.findIndex((s) => s.includes(f))] ? problems[f] : undefined);

  const next = (e: FormEvent) => {
    e.preventDefault();
    setTried((t) => ({ ...t, [step]: true }));
    if ((stepFields[step] ?? []).some((f) => problems[f] !== undefined)) return;
    if (step < 2) setStep(step + 1);
    else void action.run();
  };

  return (
    <AuthCard
      title="Let's get this party started!"
      subtitle="Set up FeatureHub. You become its first administrator."
    >
      <ol className="steps" aria-label="Setup steps">
        {(localOffered ? ['Organisation', 'About you', 'Password'] : ['Organisation', 'Sign in']).map(
          (s, i) => (
            <li
              key={s}
              className={i === step ? 'step step-current' : i < step ? 'step step-done' : 'step'}
              aria-current={i === step ? 'step' : undefined}
            >
              <span className="step-num">{i + 1}</span> {s}
            </li>
          ),
        )}
      </ol>
      <form onSubmit={next} noValidate className="stack" data-testid="setup-form">
        {step === 0 ? (
          <>
            <TextField
              label="Organisation name"
              value={orgName}
              onChange={setOrgName}
              error={show('orgName')}
              testId="setup-org-name"
              autoFocus
              required
            />
            <TextField
              label="First portfolio"
              hint="Portfolios group applications, for example by team or product."
              value={portfolio}
              onChange={setPortfolio}
              error={show('portfolio')}
              testId="setup-portfolio-name"
              required
            />
          </>
        ) : step === 1 && !localOffered ? null : step === 1 ? (
          <>
            <TextField
              label="Your name"
              value={name}
              onChange={setName}
              error={show('name')}
              testId="setup-name"
              autoComplete="name"
              autoFocus
              required
            />
            <TextField
              label="Email"
              type="email"
              value={email}
              onChange={setEmail}
              error={show('email')}
              testId="setup-email"
              autoComplete="email"
              required
            />
          </>
        ) : (
          <NewPasswordFields
            password={password}
            confirm={confirm}
            onPassword={setPassword}
            onConfirm={setConfirm}
            errors={{ password: show('password'), confirm: show('confirm') }}
            testIds={['setup-password', 'setup-confirm']}
            hint="At least 7 characters."
            autoFocus
          />
        )}
        {step === 1 && ssoOffered.length > 0 ? (
          <div className="stack sso">
            {localOffered ? (
              <div className="divider">or become the administrator through</div>
            ) : (
              <p className="muted">
                You become the administrator by signing in through your identity provider.
              </p>
            )}
            {ssoOffered.map((p) => (
              <Button
                key={p}
                className="btn-block"
                busy={ssoSetup.busy}
                onClick={() => void ssoSetup.run(p)}
                data-testid={`setup-provider-${p}`}
              >
                {offered?.providerInfo[p]?.buttonText || `Sign in with ${p.replace(/^oauth2-/, '')}`}
              </Button>
            ))}
            <ErrorBanner error={ssoSetup.error} />
          </div>
        ) : null}
        <ErrorBanner error={action.error} />
        <div className="row row-end">
          {step > 0 ? (
            <Button onClick={() => setStep(step - 1)} data-testid="setup-back">
              Back
            </Button>
          ) : null}
          {localOffered || step === 0 ? (
            <Button
              type="submit"
              variant="primary"
              busy={action.busy}
              data-testid={step < 2 ? 'setup-next' : 'setup-submit'}
            >
              {step < 2 ? 'Next' : 'Create and sign in'}
            </Button>
          ) : null}
        </div>
      </form>
    </AuthCard>
  );
}

export function LoginPage() {
  const { api, signedIn, setup } = useSession();
  const { search } = useLocation();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [tried, setTried] = useState(false);
  const action = useAction(async () => {
    const tp = await api.login(email.trim(), password);
    await signedIn(tp);
    navigate(safeNext(search.get('next')), { replace: true });
  });
  const emailProblem = email.trim() === '' ? 'Enter your email address.' : undefined;
  const pwProblem = password === '' ? 'Enter your password.' : undefined;
  const local = localLoginOffered(setup);
  const external = (setup?.providers ?? []).filter((p) => p !== 'local');
  const sso = useAction(async (provider: string) => {
    const r = await api.http.get<{ redirectUrl?: string }>(
      `/external-provider/${encodeURIComponent(provider)}`,
      { anonymous: true },
    );
    if (r?.redirectUrl) window.location.assign(r.redirectUrl);
  });
  const ssoFailure = ssoFailureMessage(search.get('sso-error'));
  return (
    <AuthCard
      title="Sign in"
      subtitle={setup?.organization.name ? `to ${setup.organization.name}` : undefined}
    >
      {ssoFailure ? <ErrorBanner error={ssoFailure} testId="login-sso-error" /> : null}
      {local ? (
        <form
          className="stack"
          noValidate
          data-testid="login-form"
          onSubmit={(e) => {
            e.preventDefault();
            setTried(true);
            if (!emailProblem && !pwProblem) void action.run();
          }}
        >
          <TextField
            label="Email"
            type="email"
            value={email}
            onChange={setEmail}
            error={tried ? emailProblem : undefined}
            testId="login-email"
            autoComplete="username"
            autoFocus
            required
          />
          <TextField
            label="Password"
            type="password"
            value={password}
            onChange={setPassword}
            error={tried ? pwProblem : undefined}
            testId="login-password"
            autoComplete="current-password"
            required
          />
          <ErrorBanner error={action.error} testId="login-error" />
          <Button
            type="submit"
            variant="primary"
            busy={action.busy}
            data-testid="login-submit"
            className="btn-block"
          >
            Sign in
          </Button>
          <Link href="/forgot-password" className="small-link">
            Forgot your password?
          </Link>
        </form>
      ) : null}
      {external.length > 0 ? (
        <div className="stack sso">
          {local ? <div className="divider">or</div> : null}
          {external.map((p) => {
            const info = setup?.providerInfo?.[p];
            const background = cssColour(info?.buttonBackgroundColor);
            return (
              <Button
                key={p}
                className="btn-block"
                busy={sso.busy}
                onClick={() => void sso.run(p)}
                data-testid={`login-provider-${p}`}
                style={background ? { borderLeft: `6px solid ${background}` } : undefined}
              >
                {info?.buttonIcon && /^https?:\/\//.test(info.buttonIcon) ? (
                  <img src={info.buttonIcon} alt="" width={20} height={20} className="sso-icon" />
                ) : null}
                {info?.buttonText || `Sign in with ${p.replace(/^oauth2-/, '')}`}
              </Button>
            );
          })}
          <ErrorBanner error={sso.error} />
        </div>
      ) : null}
    </AuthCard>
  );
}

export function ForgotPasswordPage() {
  return (
    <AuthCard title="Forgot your password?">
      <p>
        FeatureHub does not send email. Ask one of your FeatureHub administrators to reset your password; they
        will give you a temporary one that you replace when you next sign in.
      </p>
      <Link href="/login" className="btn btn-secondary">
        Back to sign in
      </Link>
    </AuthCard>
  );
}

export function RegisterPage() {
  const { api, signedIn } = useSession();
  const { search } = useLocation();
  const token = search.get('token') ?? '';
  const invited = useLoad(
    () =>
      token
        ? api.personByToken(token)
        : Promise.reject(new Error('This link has no invitation token in it.')),
    [token],
  );
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [tried, setTried] = useState(false);
  const email = invited.data?.email ?? '';
  const action = useAction(async () => {
    const tp = await api.register({
      name: name.trim(),
      email,
      password,
      confirmPassword: confirm,
      registrationToken: token,
    });
    await signedIn(tp);
    navigate('/applications', { replace: true });
  });
  const problems = {
    name:
      name.trim() === ''
        ? 'Enter your name.'
        : name.trim().length > 100
          ? 'The name can be 100 characters at most.'
          : undefined,
    password: passwordProblem(password),
    confirm: confirmProblem(password, confirm),
  };
  if (invited.loading)
    return (
      <AuthCard title="Complete your registration">
        <Loading />
      </AuthCard>
    );
  if (invited.error || !invited.data) {
    return (
      <AuthCard title="Complete your registration">
        <ErrorBanner error={invited.error ?? 'This invitation link is not valid.'} testId="register-error" />
        <Link href="/login" className="btn btn-secondary">
          Go to sign in
        </Link>
      </AuthCard>
    );
  }
  return (
    <AuthCard title="Complete your registration" subtitle={`You were invited as ${email}.`}>
      <form
        className="stack"
        noValidate
        data-testid="register-form"
        onSubmit={(e) => {
          e.preventDefault();
          setTried(true);
          if (!problems.name && !problems.password && !problems.confirm) void action.run();
        }}
      >
        <TextField
          label="Your name"
          value={name}
          onChange={setName}
          error={tried ? problems.name : undefined}
          testId="register-name"
          autoComplete="name"
          autoFocus
          required
        />
        <NewPasswordFields
          password={password}
          confirm={confirm}
          onPassword={setPassword}
          onConfirm={setConfirm}
          errors={tried ? problems : {}}
          testIds={['register-password', 'register-confirm']}
          hint="At least 7 characters."
        />
        <ErrorBanner error={action.error} />
        <Button
          type="submit"
          variant="primary"
          busy={action.busy}
          data-testid="register-submit"
          className="btn-block"
        >
          Register and sign in
        </Button>
      </form>
    </AuthCard>
  );
}

export function ReplacePasswordPage() {
  const { api, person, signedIn, signOut } = useSession();
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [tried, setTried] = useState(false);
  const action = useAction(async () => {
    const id = person?.id?.id;
    if (!id) throw new Error('Your session is missing; sign in again.');
    const tp = await api.replaceTempPassword(id, password);
    await signedIn(tp);
    navigate('/applications', { replace: true });
  });
  const problems = {
    password: passwordProblem(password),
    confirm: confirmProblem(password, confirm),
  };
  return (
    <AuthCard
      title="Choose a new password"
      subtitle="An administrator gave you a temporary password. Replace it before you continue."
    >
      <form
        className="stack"
        noValidate
        data-testid="replace-password-form"
        onSubmit={(e) => {
          e.preventDefault();
          setTried(true);
          if (!problems.password && !problems.confirm) void action.run();
        }}
      >
        <NewPasswordFields
          password={password}
          confirm={confirm}
          onPassword={setPassword}
          onConfirm={setConfirm}
          errors={tried ? problems : {}}
          testIds={['replace-password', 'replace-confirm']}
          labels={['New password', 'Confirm new password']}
          hint="At least 7 characters."
          autoFocus
        />
        <ErrorBanner error={action.error} />
        <Button
          type="submit"
          variant="primary"
          busy={action.busy}
          data-testid="replace-submit"
          className="btn-block"
        >
          Save password
        </Button>
        <Button variant="ghost" onClick={() => void signOut()}>
          Sign out
        </Button>
      </form>
    </AuthCard>
  );
}

export function OfflinePage() {
  const { startError, restart } = useSession();
  return (
    <AuthCard title="FeatureHub is not answering">
      <Notice tone="warn">{startError ?? 'The server could not be reached.'}</Notice>
      <Button variant="primary" icon="refresh" onClick={restart} data-testid="retry-start">
        Try again
      </Button>
    </AuthCard>
  );
}
