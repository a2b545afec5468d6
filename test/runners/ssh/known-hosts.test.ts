import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  checkHostKey,
  entriesFor,
  hostKeyAlgorithmsFor,
  hostMatches,
  keyTypeOf,
  knownHostsName,
  parseKnownHosts,
} from '../../../src/runners/ssh/known-hosts.js';

/** An SSH public key blob: string(type) then some key bytes. */
function blob(type: string, body: Buffer = randomBytes(32)): Buffer {
  const name = Buffer.from(type, 'latin1');
  const len = Buffer.alloc(4);
  len.writeUInt32BE(name.length);
  return Buffer.concat([len, name, body]);
}
const b64 = (b: Buffer): string => b.toString('base64');

function hashed(name: string): string {
  const salt = randomBytes(20);
  return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
}

describe('knownHostsName', () => {
  it('uses the bare host on port 22 and [host]:port otherwise', () => {
    expect(knownHostsName('10.8.0.7', 22)).toBe('10.8.0.7');
    expect(knownHostsName('127.0.0.1', 2222)).toBe('[127.0.0.1]:2222');
  });
});

describe('parseKnownHosts', () => {
  it('reads plain, marked and hashed lines and skips comments, blanks and damaged lines', () => {
    const ed = blob('ssh-ed25519');
    const rsa = blob('ssh-rsa');
    const text = [
      '# comment',
      '',
      `host1,host2 ssh-ed25519 ${b64(ed)} comment words`,
      `@revoked host3 ssh-rsa ${b64(rsa)}`,
      `@cert-authority *.lan ssh-ed25519 ${b64(ed)}`,
      `@bogus host4 ssh-ed25519 ${b64(ed)}`,
      `host5 ssh-rsa ${b64(ed)}`, // type field disagrees with the blob
      'host6 ssh-ed25519 not!base64',
      'host7 ssh-ed25519',
      `  ${hashed('host8')} ssh-ed25519 ${b64(ed)}  `,
    ].join('\n');
    const entries = parseKnownHosts(text);
    expect(entries.map((e) => [e.marker, e.hosts.startsWith('|1|') ? 'hashed' : e.hosts, e.keyType, e.line])).toEqual([
      [undefined, 'host1,host2', 'ssh-ed25519', 3],
      ['revoked', 'host3', 'ssh-rsa', 4],
      ['cert-authority', '*.lan', 'ssh-ed25519', 5],
      [undefined, 'hashed', 'ssh-ed25519', 10],
    ]);
    expect(entries[0]?.key.equals(ed)).toBe(true);
  });
});

describe('hostMatches', () => {
  it('matches comma lists, wildcards and case-insensitively', () => {
    expect(hostMatches('a.example,b.example', 'b.example')).toBe(true);
    expect(hostMatches('a.example', 'A.Example')).toBe(true);
    expect(hostMatches('*.lan', 'srv.lan')).toBe(true);
    expect(hostMatches('*.lan', 'lan')).toBe(false);
    expect(hostMatches('srv?', 'srv1')).toBe(true);
    expect(hostMatches('srv?', 'srv12')).toBe(false);
    expect(hostMatches('[10.0.0.1]:2222', '[10.0.0.1]:2222')).toBe(true);
    expect(hostMatches('[10.0.0.1]:2222', '10.0.0.1')).toBe(false);
    expect(hostMatches('10.0.0.1', '[10.0.0.1]:2222')).toBe(false);
  });

  it('lets a negated pattern veto the line', () => {
    expect(hostMatches('*.lan,!bad.lan', 'good.lan')).toBe(true);
    expect(hostMatches('*.lan,!bad.lan', 'bad.lan')).toBe(false);
    expect(hostMatches('!bad.lan', 'good.lan')).toBe(false);
  });

  it('checks hashed names with HMAC-SHA1, lowercasing first', () => {
    const field = hashed('[127.0.0.1]:2222');
    expect(hostMatches(field, '[127.0.0.1]:2222')).toBe(true);
    expect(hostMatches(field, '[127.0.0.1]:2223')).toBe(false);
    expect(hostMatches(hashed('srv.lan'), 'SRV.lan')).toBe(true);
    expect(hostMatches('|1|broken', 'srv.lan')).toBe(false);
  });
});

describe('checkHostKey', () => {
  const ed = blob('ssh-ed25519');
  const otherEd = blob('ssh-ed25519');
  const rsa = blob('ssh-rsa', randomBytes(64));

  it('knows a listed key, including one of several', () => {
    const entries = parseKnownHosts(`srv ssh-rsa ${b64(rsa)}\nsrv ssh-ed25519 ${b64(ed)}\n`);
    expect(checkHostKey(entries, 'srv', ed)).toEqual({ kind: 'known' });
  });

  it('calls a host with no entry unknown, and one with other keys changed', () => {
    const entries = parseKnownHosts(`srv ssh-ed25519 ${b64(ed)}\nsrv ssh-rsa ${b64(rsa)}\n`);
    expect(checkHostKey(entries, 'elsewhere', ed)).toEqual({ kind: 'unknown' });
    expect(checkHostKey(entries, 'srv', otherEd)).toEqual({ kind: 'changed', knownTypes: ['ssh-ed25519', 'ssh-rsa'] });
  });

  it('puts @revoked first and ignores @cert-authority lines', () => {
    const entries = parseKnownHosts(`srv ssh-ed25519 ${b64(ed)}\n@revoked * ssh-ed25519 ${b64(ed)}\n`);
    expect(checkHostKey(entries, 'srv', ed)).toEqual({ kind: 'revoked' });
    const ca = parseKnownHosts(`@cert-authority srv ssh-ed25519 ${b64(ed)}\n`);
    expect(entriesFor(ca, 'srv')).toEqual([]);
    expect(checkHostKey(ca, 'srv', ed)).toEqual({ kind: 'unknown' });
  });
});

describe('hostKeyAlgorithmsFor', () => {
  it('offers only algorithms for the key types listed for the host', () => {
    const entries = parseKnownHosts(
      `srv ssh-rsa ${b64(blob('ssh-rsa'))}\nsrv ssh-ed25519 ${b64(blob('ssh-ed25519'))}\nother ecdsa-sha2-nistp256 ${b64(blob('ecdsa-sha2-nistp256'))}\n`,
    );
    expect(hostKeyAlgorithmsFor(entries, 'srv')).toEqual(['ssh-ed25519', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']);
    expect(hostKeyAlgorithmsFor(entries, 'nobody')).toBeUndefined();
  });
});

describe('keyTypeOf', () => {
  it('reads the type name from a blob and rejects garbage', () => {
    expect(keyTypeOf(blob('ssh-ed25519'))).toBe('ssh-ed25519');
    expect(keyTypeOf(Buffer.from([0, 0]))).toBeUndefined();
    expect(keyTypeOf(Buffer.from([0xff, 0xff, 0xff, 0xff, 1]))).toBeUndefined();
  });
});
