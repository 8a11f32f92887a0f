import { useState } from 'react';
import { confirmProblem, passwordProblem } from '../lib/validation.ts';
import { Button } from '../ui/buttons.tsx';
import { ErrorBanner, Notice } from '../ui/feedback.tsx';
import { NewPasswordFields, TextField } from '../ui/forms.tsx';
import { useAction } from '../ui/hooks.ts';
import { PageHeader } from '../ui/page-header.tsx';
import { localLoginOffered, useSession } from '../ui/session.tsx';

export function AccountPage() {
  const { api, person, isSuperuser, setup } = useSession();
  // With local login off (`auth.disable-login`) the server refuses password changes: people sign in through
  // single sign-on and change their password there.
  const localLogin = localLoginOffered(setup);
  const [oldPassword, setOld] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [tried, setTried] = useState(false);
  const [done, setDone] = useState(false);
  const problems = {
    old: oldPassword === '' ? 'Enter your current password.' : undefined,
    password: passwordProblem(password),
    confirm: confirmProblem(password, confirm),
  };
  const action = useAction(async () => {
    await api.changePassword(person?.id?.id ?? '', oldPassword, password);
    setDone(true);
    setOld('');
    setPassword('');
    setConfirm('');
    setTried(false);
  });
  return (
    <>
      <PageHeader
        title="Your account"
        subtitle={`${person?.name ?? ''} · ${person?.email ?? ''}${isSuperuser ? ' · superuser' : ''}`}
      />
      {localLogin ? null : (
        <div className="narrow" data-testid="password-managed-by-sso">
          <Notice tone="info">
            This FeatureHub signs people in through single sign-on only: your password is kept by your
            identity provider.
          </Notice>
        </div>
      )}
      {localLogin ? (
        <form
          className="card stack narrow"
          noValidate
          data-testid="change-password-form"
          onSubmit={(e) => {
            e.preventDefault();
            setTried(true);
            setDone(false);
            if (!problems.old && !problems.password && !problems.confirm) void action.run();
          }}
        >
          <h2 className="section-title">Change password</h2>
          <TextField
            label="Current password"
            type="password"
            value={oldPassword}
            onChange={setOld}
            error={tried ? problems.old : undefined}
            autoComplete="current-password"
            testId="current-password"
          />
          <NewPasswordFields
            password={password}
            confirm={confirm}
            onPassword={setPassword}
            onConfirm={setConfirm}
            errors={tried ? problems : {}}
            testIds={['new-password', 'confirm-new-password']}
            labels={['New password', 'Confirm new password']}
            required={false}
          />
          <ErrorBanner error={action.error} />
          {done ? <Notice tone="success">Your password was changed.</Notice> : null}
          <div className="row row-end">
            <Button type="submit" variant="primary" busy={action.busy} data-testid="change-password-submit">
              Change password
            </Button>
          </div>
        </form>
      ) : null}
    </>
  );
}
