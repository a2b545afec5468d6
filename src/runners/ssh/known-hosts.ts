/**
 * OpenSSH known_hosts, read-only: which keys a host may present. The pool
 * checks every handshake against it and never adds to it; an operator adds a
 * host with ssh-keyscan after checking the fingerprint out of band.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export interface KnownHostEntry {
  /** `@revoked` keys are refused; `@cert-authority` lines are not supported and never match. */
  marker: 'revoked' | 'cert-authority' | undefined;
  /** The host field as written: "a,b,[c]:2222", "!bad,*.lan" or "|1|salt|hash". */
  hosts: string;
  keyType: string;
  key: Buffer;
  line: number;
}

export type HostKeyVerdict =
  | { kind: 'known' }
  | { kind: 'unknown' }
  /** Keys are listed for this host, none is the one presented. */
  | { kind: 'changed'; knownTypes: readonly string[] }
  | { kind: 'revoked' };

/** The name OpenSSH looks up: the bare host on port 22, "[host]:port" otherwise. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

export function parseKnownHosts(text: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const fields = line.split(/\s+/);
    let marker: KnownHostEntry['marker'];
    if (fields[0]?.startsWith('@')) {
      const name = fields.shift();
      if (name === '@revoked') marker = 'revoked';
      else if (name === '@cert-authority') marker = 'cert-authority';
      else return; // an unknown marker: OpenSSH skips the line too
    }
    const [hosts, keyType, keyBase64] = fields;
    if (!hosts || !keyType || !keyBase64 || !/^[A-Za-z0-9+/]+={0,2}$/.test(keyBase64)) return;
    const key = Buffer.from(keyBase64, 'base64');
    // The blob starts with its own type name; a mismatch means a damaged line.
    if (keyTypeOf(key) !== keyType) return;
    entries.push({ marker, hosts, keyType, key, line: index + 1 });
  });
  return entries;
}

/** The key type named inside an SSH public key blob ("ssh-ed25519", …), or undefined. */
export function keyTypeOf(blob: Buffer): string | undefined {
  if (blob.length < 4) return undefined;
  const length = blob.readUInt32BE(0);
  if (length === 0 || length > 64 || blob.length < 4 + length) return undefined;
  return blob.subarray(4, 4 + length).toString('latin1');
}

/** "SHA256:…" as ssh-keygen -l prints it (public, safe to show). */
export function fingerprintOf(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

export function hostMatches(hostsField: string, name: string): boolean {
  if (hostsField.startsWith('|1|')) return hashedHostMatches(hostsField, name);
  const lower = name.toLowerCase();
  let matched = false;
  for (const pattern of hostsField.split(',')) {
    const negated = pattern.startsWith('!');
    const body = (negated ? pattern.slice(1) : pattern).toLowerCase();
    if (!globMatches(body, lower)) continue;
    // A negated match vetoes the whole line, whatever else matched.
    if (negated) return false;
    matched = true;
  }
  return matched;
}

/** `|1|base64(salt)|base64(HMAC-SHA1(salt, name))`, as `ssh-keygen -H` writes. */
function hashedHostMatches(field: string, name: string): boolean {
  const parts = field.split('|');
  if (parts.length !== 4 || parts[2] === undefined || parts[3] === undefined) return false;
  const salt = Buffer.from(parts[2], 'base64');
  const expected = Buffer.from(parts[3], 'base64');
  // ssh lowercases the host name before hashing it.
  const actual = createHmac('sha1', salt).update(name.toLowerCase()).digest();
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** OpenSSH host patterns: `*` any run of characters, `?` exactly one. */
function globMatches(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let starP = -1;
  let starT = 0;
  while (t < text.length) {
    if (p < pattern.length && (pattern[p] === '?' || pattern[p] === text[t])) {
      p++;
      t++;
    } else if (p < pattern.length && pattern[p] === '*') {
      starP = p++;
      starT = t;
    } else if (starP >= 0) {
      p = starP + 1;
      t = ++starT;
    } else {
      return false;
    }
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}

/** Entries that apply to `name` (see knownHostsName), cert-authority lines excluded. */
export function entriesFor(entries: readonly KnownHostEntry[], name: string): KnownHostEntry[] {
  return entries.filter((e) => e.marker !== 'cert-authority' && hostMatches(e.hosts, name));
}

export function checkHostKey(entries: readonly KnownHostEntry[], name: string, key: Buffer): HostKeyVerdict {
  const relevant = entriesFor(entries, name);
  if (relevant.some((e) => e.marker === 'revoked' && e.key.equals(key))) return { kind: 'revoked' };
  const listed = relevant.filter((e) => e.marker === undefined);
  if (listed.some((e) => e.key.equals(key))) return { kind: 'known' };
  if (listed.length === 0) return { kind: 'unknown' };
  return { kind: 'changed', knownTypes: [...new Set(listed.map((e) => e.keyType))] };
}

// ssh2's names for the host key algorithms each key type can sign with, best first.
const ALGORITHMS_BY_KEY_TYPE: Readonly<Record<string, readonly string[]>> = {
  'ssh-ed25519': ['ssh-ed25519'],
  'ecdsa-sha2-nistp256': ['ecdsa-sha2-nistp256'],
  'ecdsa-sha2-nistp384': ['ecdsa-sha2-nistp384'],
  'ecdsa-sha2-nistp521': ['ecdsa-sha2-nistp521'],
  'ssh-rsa': ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'],
};

/**
 * The host key algorithms to offer so that the server shows a key of a type
 * we already know (as OpenSSH does): otherwise a server holding both an RSA
 * and an ed25519 key could present the one not listed and look "changed".
 * Undefined when nothing usable is listed (then the library's default list).
 */
export function hostKeyAlgorithmsFor(entries: readonly KnownHostEntry[], name: string): string[] | undefined {
  const types = new Set(
    entriesFor(entries, name)
      .filter((e) => e.marker === undefined)
      .map((e) => e.keyType),
  );
  const algorithms = Object.entries(ALGORITHMS_BY_KEY_TYPE)
    .filter(([type]) => types.has(type))
    .flatMap(([, algos]) => algos);
  return algorithms.length > 0 ? algorithms : undefined;
}
