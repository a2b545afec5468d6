import { describe, expect, it } from 'vitest';
import { help } from '../../commands/help.js';
import { authorise, emailDomain } from '../../src/core/access.js';
import { AccessDeniedError } from '../../src/core/errors.js';

const rules = { allowedDomains: ['Example.org'], admins: [] };
const check = (email: string) => () => authorise({ kind: 'user', email }, help, {}, rules, 'en');

describe('allowed domains', () => {
  it('refuses an address with a second @, whichever domain is allowed', () => {
    expect(check('mallory@example.org@evil.com')).toThrow(AccessDeniedError);
    const evil = { allowedDomains: ['evil.com'], admins: [] };
    expect(() => authorise({ kind: 'user', email: 'mallory@example.org@evil.com' }, help, {}, evil, 'en')).toThrow(
      AccessDeniedError,
    );
  });

  it('refuses what is not an address', () => {
    for (const email of [
      '@example.org',
      'example.org',
      'alice@',
      'alice@example.org.',
      'alice@.example.org',
      'alice@-example.org',
      'alice@exa mple.org',
      'al ice@example.org',
      'alice@example..org',
      'alice@example.org\n',
      '',
    ]) {
      expect(check(email), email).toThrow(AccessDeniedError);
    }
  });

  it('accepts a valid address of an allowed domain, without regard to case', () => {
    expect(check('alice@example.org')).not.toThrow();
    expect(check('Alice.B+ops@EXAMPLE.Org')).not.toThrow();
    expect(check('alice@sub.example.org')).toThrow(AccessDeniedError);
    expect(emailDomain('Alice@Mail-1.Example.ORG')).toBe('mail-1.example.org');
  });
});
