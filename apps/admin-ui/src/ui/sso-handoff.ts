/** The cookie the server hands the session in after single sign-on (upstream's name, kept for its clients). */
const BEARER_COOKIE = 'bearer-token';

/**
 * Takes the session token the server left in the `bearer-token` cookie after a single sign-on, and deletes the
 * cookie at once so the token does not sit where scripts can read it (the server gives it a minute at most).
 */
export function takeSsoHandoff(
  doc: Pick<Document, 'cookie'> | undefined = globalThis.document,
): string | undefined {
  if (!doc) return undefined;
  let token: string | undefined;
  for (const part of doc.cookie.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === BEARER_COOKIE) {
      try {
        token = decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        token = undefined;
      }
    }
  }
  if (token === undefined) return undefined;
  doc.cookie = `${BEARER_COOKIE}=; Max-Age=0; Path=/; SameSite=Lax`;
  return token === '' ? undefined : token;
}

/** What the sign-in page says when single sign-on came back refused (`?sso-error=<reason>`). */
export function ssoFailureMessage(reason: string | null): string | undefined {
  if (reason === null) return undefined;
  switch (reason) {
    case 'denied':
      return 'The sign-in was cancelled or refused at your identity provider.';
    case 'unknown_user':
      return 'You do not have a FeatureHub account yet. Ask a FeatureHub administrator to add you, then sign in again.';
    case 'archived':
      return 'Your FeatureHub account has been deactivated. Ask a FeatureHub administrator to reactivate it.';
    case 'email_domain':
      return 'People with your email address cannot sign in here.';
    case 'not_set_up':
      return 'FeatureHub has not been set up yet.';
    case 'unavailable':
      return 'Your identity provider could not be reached. Try again in a moment.';
    default:
      return 'The sign-in could not be verified, so you were not signed in. Please try again.';
  }
}

/** Upstream's button colours are Flutter's `0xAARRGGBB`; CSS wants `#RRGGBBAA`. Other forms pass through. */
export function cssColour(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const m = /^0x([0-9a-f]{2})([0-9a-f]{6})$/i.exec(value.trim());
  if (m) return `#${m[2]}${m[1]}`;
  return /^(#[0-9a-f]{3,8}|[a-z]+)$/i.test(value.trim()) ? value.trim() : undefined;
}
