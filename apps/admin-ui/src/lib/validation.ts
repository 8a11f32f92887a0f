// Small form checks shared by several screens; the server checks again and has the last word.

export const MIN_PASSWORD = 7;

export function passwordProblem(password: string): string | undefined {
  if (password.length < MIN_PASSWORD) return `Use at least ${MIN_PASSWORD} characters.`;
  if (password.length > 40) return 'Use at most 40 characters.';
  return undefined;
}

/** The second entry of a new password must repeat the first. */
export function confirmProblem(password: string, confirm: string): string | undefined {
  return confirm !== password ? 'The passwords do not match.' : undefined;
}

export function emailProblem(email: string): string | undefined {
  const e = email.trim();
  if (e === '') return 'Enter an email address.';
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(e)) return 'This is not a valid email address.';
  if (e.length > 100) return 'The email address can be 100 characters at most.';
  return undefined;
}

export function nameProblem(name: string, what: string, max: number): string | undefined {
  const n = name.trim();
  if (n === '') return `Enter a name for the ${what}.`;
  if (n.length > max) return `The name can be ${max} characters at most.`;
  return undefined;
}
