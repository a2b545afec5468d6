import { randomBytes } from 'node:crypto';

// Mattermost ids are 26 characters of base32 over this alphabet, lower case
// (server/public/model/utils.go: NewId, IsValidId). Route guards such as
// c.RequireUserId() reject anything else with 400, so the emulator does too.
const ALPHABET = 'ybndrfg8ejkmcpqxot1uwisza345h769';

/** A fresh id in Mattermost's format (26 chars). */
export function newId(): string {
  const bytes = randomBytes(26);
  let id = '';
  for (const b of bytes) id += ALPHABET[b % 32];
  return id;
}

/** model.IsValidId: exactly 26 letters or digits. */
export function isValidId(value: unknown): value is string {
  return typeof value === 'string' && /^[A-Za-z0-9]{26}$/.test(value);
}

/** A request id for the X-Request-Id header and AppError.request_id. */
export function newRequestId(): string {
  return newId();
}
