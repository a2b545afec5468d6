import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execaRunner } from '../../src/runners/execa-runner.js';

const DAY_MS = 86_400_000;

async function openssl(cwd: string, args: string[]): Promise<string> {
  const result = await execaRunner({ file: 'openssl', args, cwd, timeoutMs: 30_000 });
  if (result.exitCode !== 0) throw new Error(`openssl ${args[0]} failed: ${result.stderr}`);
  return result.stdout;
}

/** openssl ca's -startdate/-enddate form: YYYYMMDDHHMMSSZ. */
export function opensslDate(date: Date): string {
  return `${date.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
}

export interface IssuedCert {
  certPath: string;
  keyPath: string;
  cert: string;
  key: string;
}

/**
 * A throw-away CA in `dir`. Leaf validity is set with `openssl ca -startdate
 * -enddate`: OpenSSL 3.0 has no -not_before/-not_after on `x509`/`req` (3.4+),
 * and `x509 -req -days -1` makes a certificate whose notBefore is after its
 * notAfter, not a plausibly expired one. `openssl ca` needs a config with a
 * database and a `serial` entry (with `-rand_serial` the file need not exist
 * beforehand; openssl writes it), `unique_subject = no` lets several leaves
 * share CN=localhost.
 */
export class TestCa {
  readonly caPath: string;
  caPem = '';
  private count = 0;

  constructor(readonly dir: string) {
    this.caPath = join(dir, 'ca.crt');
  }

  async init(): Promise<void> {
    const d = this.dir;
    await writeFile(join(d, 'index.txt'), '');
    await writeFile(
      join(d, 'ca.cnf'),
      [
        '[ ca ]',
        'default_ca = testca',
        '[ testca ]',
        `database = ${join(d, 'index.txt')}`,
        `new_certs_dir = ${d}`,
        `serial = ${join(d, 'serial')}`,
        'default_md = sha256',
        'policy = anything',
        'unique_subject = no',
        'x509_extensions = leaf',
        '[ anything ]',
        'commonName = supplied',
        '[ leaf ]',
        'basicConstraints = CA:FALSE',
        'subjectAltName = DNS:localhost,IP:127.0.0.1',
        'extendedKeyUsage = serverAuth,clientAuth',
        '',
      ].join('\n'),
    );
    await openssl(d, [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      join(d, 'ca.key'),
      '-out',
      this.caPath,
      '-days',
      '3650',
      '-subj',
      '/O=Detour/CN=Detour Test CA',
    ]);
    this.caPem = await readFile(this.caPath, 'utf8');
  }

  /** A leaf for localhost/127.0.0.1 valid from `notBefore` to `notAfter` (whole seconds). */
  async issue(commonName: string, notBefore: Date, notAfter: Date): Promise<IssuedCert> {
    const d = this.dir;
    const n = ++this.count;
    const keyPath = join(d, `leaf${n}.key`);
    const csr = join(d, `leaf${n}.csr`);
    const certPath = join(d, `leaf${n}.crt`);
    await openssl(d, [
      'req',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      keyPath,
      '-out',
      csr,
      '-subj',
      `/CN=${commonName}`,
    ]);
    await openssl(d, [
      'ca',
      '-batch',
      '-config',
      join(d, 'ca.cnf'),
      '-cert',
      this.caPath,
      '-keyfile',
      join(d, 'ca.key'),
      '-in',
      csr,
      '-out',
      certPath,
      '-notext',
      '-rand_serial',
      '-startdate',
      opensslDate(notBefore),
      '-enddate',
      opensslDate(notAfter),
    ]);
    return {
      certPath,
      keyPath,
      cert: await readFile(certPath, 'utf8'),
      key: await readFile(keyPath, 'utf8'),
    };
  }

  /** The SHA-256 fingerprint as the openssl CLI prints it, to cross-check Node's. */
  async fingerprint(certPath: string): Promise<string> {
    const out = await openssl(this.dir, ['x509', '-in', certPath, '-noout', '-fingerprint', '-sha256']);
    return out.trim().split('=')[1] ?? '';
  }
}

export function daysFrom(date: Date, days: number): Date {
  return new Date(date.getTime() + days * DAY_MS);
}
