import { BadRequestError } from '@fh/service-kit';

/** Shortest password accepted for a local account (the admin UI asks for the same). */
export const MIN_PASSWORD_LENGTH = 7;
/** Longest password accepted; scrypt would take more, but the API documents 100. */
export const MAX_PASSWORD_LENGTH = 100;

/**
 * Checks a password someone is choosing; throws 400 with what is wrong. `confirm`, when given, must be
 * the same string.
 */
export function checkNewPassword(password: string, confirm?: string): void {
  if (password.trim() === '') throw new BadRequestError('The password must not be blank');
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new BadRequestError(`The password must be at least ${MIN_PASSWORD_LENGTH} characters long`);
  }
  if (password.length > MAX_PASSWORD_LENGTH) {
    throw new BadRequestError(`The password must be at most ${MAX_PASSWORD_LENGTH} characters long`);
  }
  if (confirm !== undefined && confirm !== password) {
    throw new BadRequestError('The password and its confirmation do not match');
  }
}
