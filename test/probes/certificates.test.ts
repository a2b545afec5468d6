import { writeFile } from 'node:fs/promises';
import type { AddressInfo, Server } from 'node:net';
import { createServer as createTcpServer } from 'node:net';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { createServer as createTlsServer } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { daysUntil, parseCertificateTime, rankCertificate } from '../../src/probes/certificate-info.js';
import type { CertificateCheck } from '../../src/probes/certificates.js';
import { checkCertificateFile, checkServerCertificate, parseTlsUrl } from '../../src/probes/certificates.js';
import { localHost, makeTempDir, removeDir } from './helpers.js';
import type { IssuedCert } from './test-ca.js';
import { daysFrom, TestCa } from './test-ca.js';

// The injected clock: "now" as the certificates were issued, to the second.
const clock = new Date(Math.floor(Date.now() / 1000) * 1000);
const now = (): Date => clock;

let dir = '';
let ca: TestCa;
const issued: Record<'soon' | 'long' | 'expired' | 'client' | 'future', IssuedCert> = {} as never;
const servers: Server[] = [];
// Resolved with the SNI name of the next handshake a test server completes (false: none sent).
type Handshake = string | false | null | Error;
const handshakeWaiters = new Map<string, (outcome: Handshake) => void>();
function nextHandshake(server: string): Promise<Handshake> {
  return new Promise((resolve) => handshakeWaiters.set(server, resolve));
}
function settleHandshake(server: string, outcome: Handshake): void {
  handshakeWaiters.get(server)?.(outcome);
  handshakeWaiters.delete(server);
}
const ports: Record<string, number> = {};

async function listen(server: Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

function tlsServer(name: string, cert: IssuedCert): Server {
  const server = createTlsServer({ key: cert.key, cert: cert.cert });
  server.on('secureConnection', (socket: TLSSocket) => {
    settleHandshake(name, socket.servername);
    socket.end();
  });
  server.on('tlsClientError', (error) => settleHandshake(name, error));
  return server;
}

function sampleOf(check: CertificateCheck) {
  if (!check.ok) throw check.error;
  return check.sample;
}

beforeAll(async () => {
  dir = await makeTempDir('certs');
  ca = new TestCa(dir);
  await ca.init();
  const yesterday = daysFrom(clock, -1);
  issued.soon = await ca.issue('localhost', yesterday, daysFrom(clock, 10));
  issued.long = await ca.issue('localhost', yesterday, daysFrom(clock, 200));
  issued.expired = await ca.issue('localhost', new Date('2020-01-01T00:00:00Z'), new Date('2020-02-01T00:00:00Z'));
  issued.client = await ca.issue('detour-client', yesterday, daysFrom(clock, 30));
  issued.future = await ca.issue('detour-future', daysFrom(clock, 5), daysFrom(clock, 100));
  for (const name of ['soon', 'long', 'expired'] as const) {
    ports[name] = await listen(tlsServer(name, issued[name]));
  }
  // Its own server, so no other test's handshake can answer for it.
  ports.ip = await listen(tlsServer('ip', issued.long));
  // Accepts TCP and never speaks: the handshake can only time out.
  ports.silent = await listen(createTcpServer(() => undefined));
  // Speaks HTTP on a TLS port: the handshake fails.
  ports.plain = await listen(createTcpServer((socket) => socket.end('HTTP/1.1 400 Bad Request\r\n\r\n')));
  // Bound then closed: nothing listens there any more.
  const closed = createTcpServer();
  const closedPort = await listen(closed);
  await new Promise((resolve) => closed.close(resolve));
  servers.splice(servers.indexOf(closed), 1);
  ports.closed = closedPort;
});

afterAll(async () => {
  for (const server of servers) {
    server.close();
    (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
  }
  await removeDir(dir);
});

const url = (name: string): string => `https://127.0.0.1:${ports[name]}`;

describe('server certificates over TLS', () => {
  it('10 days left, chain valid with the test CA, SNI sent', async () => {
    const handshake = nextHandshake('soon');
    const check = await checkServerCertificate(
      { url: url('soon'), servername: 'localhost' },
      { now, extraCa: [ca.caPem] },
    );
    const sample = sampleOf(check);
    expect(check.target).toBe(url('soon'));
    expect(sample.daysLeft).toBe(10);
    expect(sample.chain).toEqual({ valid: true, error: null });
    expect(sample.source).toBe('server');
    expect(sample.subject).toBe('CN=localhost');
    expect(sample.issuer).toBe('O=Detour, CN=Detour Test CA');
    expect(sample.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1');
    expect(sample.notAfter).toBe(daysFrom(clock, 10).toISOString());
    expect(sample.fingerprint256).toBe(await ca.fingerprint(issued.soon.certPath));
    expect(sample.servername).toBe('localhost');
    expect(await handshake).toBe('localhost');
    expect(rankCertificate(check, { warnDays: 14, now: clock })).toBe('warn');
    expect(rankCertificate(check, { warnDays: 7, now: clock })).toBe('ok');
  });

  it('200 days left ranks ok', async () => {
    const check = await checkServerCertificate({ url: url('long') }, { now, extraCa: [ca.caPem] });
    expect(sampleOf(check).daysLeft).toBe(200);
    expect(rankCertificate(check, { warnDays: 21, now: clock })).toBe('ok');
  });

  it('an IP URL sends no SNI and still verifies against the IP SAN', async () => {
    const handshake = nextHandshake('ip');
    const check = await checkServerCertificate({ url: url('ip') }, { now, extraCa: [ca.caPem] });
    expect(sampleOf(check).servername).toBeNull();
    expect(sampleOf(check).chain?.valid).toBe(true);
    expect(await handshake).toBe(false);
  });

  it('an expired certificate still gives its dates, and ranks expired', async () => {
    const check = await checkServerCertificate(
      { url: url('expired'), servername: 'localhost' },
      { now, extraCa: [ca.caPem] },
    );
    const sample = sampleOf(check);
    expect(sample.notAfter).toBe('2020-02-01T00:00:00.000Z');
    expect(sample.daysLeft).toBe(daysUntil(new Date('2020-02-01T00:00:00Z'), clock));
    expect(sample.daysLeft).toBeLessThan(0);
    expect(sample.chain).toEqual({ valid: false, error: 'CERT_HAS_EXPIRED' });
    expect(rankCertificate(check, { warnDays: 14, now: clock })).toBe('expired');
  });

  it('without the test CA the chain is reported invalid, not thrown', async () => {
    const check = await checkServerCertificate({ url: url('long'), servername: 'localhost' }, { now });
    const sample = sampleOf(check);
    expect(sample.daysLeft).toBe(200);
    expect(sample.chain?.valid).toBe(false);
    expect(sample.chain?.error).toMatch(/^[A-Z_]+$/);
    expect(rankCertificate(check, { warnDays: 14, now: clock })).toBe('error');
    expect(rankCertificate(check, { warnDays: 14, now: clock, requireValidChain: false })).toBe('ok');
  });

  it('a name the certificate does not cover is a chain error', async () => {
    const check = await checkServerCertificate(
      { url: url('long'), servername: 'other.example' },
      { now, extraCa: [ca.caPem] },
    );
    expect(sampleOf(check).chain).toEqual({ valid: false, error: 'ERR_TLS_CERT_ALTNAME_INVALID' });
  });

  it('refused, silent and non-TLS endpoints give typed errors', async () => {
    const refused = await checkServerCertificate({ url: url('closed') }, { now });
    expect(refused.ok ? 'ok' : refused.error.code).toBe('probe-refused');
    const silent = await checkServerCertificate({ url: url('silent') }, { now, timeoutMs: 300 });
    expect(silent.ok ? 'ok' : silent.error.code).toBe('probe-timeout');
    const plain = await checkServerCertificate({ url: url('plain') }, { now });
    expect(plain.ok ? 'ok' : plain.error.code).toBe('probe-tls');
    expect(rankCertificate(plain, { warnDays: 14, now: clock })).toBe('error');
  });

  it('an unusable URL is a typed parse error', async () => {
    const check = await checkServerCertificate({ url: 'ftp://example.org' }, { now });
    expect(check.ok ? 'ok' : check.error.code).toBe('probe-parse');
    expect(parseTlsUrl({ url: 'https://[::1]:8443' })).toEqual({
      host: '::1',
      port: 8443,
      servername: null,
    });
    expect(parseTlsUrl({ url: 'https://epicerieledetour.org' })).toEqual({
      host: 'epicerieledetour.org',
      port: 443,
      servername: 'epicerieledetour.org',
    });
  });
});

describe('certificate files', () => {
  it('reads a client certificate file: same fields, no chain', async () => {
    const check = await checkCertificateFile(localHost, issued.client.certPath, { now });
    const sample = sampleOf(check);
    expect(sample).toMatchObject({ source: 'file', subject: 'CN=detour-client', chain: null });
    expect(sample.daysLeft).toBe(30);
    expect(sample.fingerprint256).toBe(await ca.fingerprint(issued.client.certPath));
    expect(rankCertificate(check, { warnDays: 21, now: clock })).toBe('ok');
  });

  it('finds the certificate after a private key in the same file', async () => {
    const combined = join(dir, 'combined.pem');
    await writeFile(combined, `${issued.client.key}${issued.client.cert}`);
    const check = await checkCertificateFile(localHost, combined, { now });
    expect(sampleOf(check).subject).toBe('CN=detour-client');
  });

  it('a certificate not yet valid ranks error', async () => {
    const check = await checkCertificateFile(localHost, issued.future.certPath, { now });
    expect(sampleOf(check).daysLeft).toBe(100);
    expect(rankCertificate(check, { warnDays: 21, now: clock })).toBe('error');
  });

  it('missing, empty and corrupt files give typed errors', async () => {
    const missing = await checkCertificateFile(localHost, join(dir, 'absent.crt'), { now });
    expect(missing.ok ? 'ok' : missing.error.code).toBe('probe-read');
    const key = await checkCertificateFile(localHost, issued.client.keyPath, { now });
    expect(key.ok ? 'ok' : key.error.code).toBe('probe-parse');
    const corrupt = join(dir, 'corrupt.crt');
    await writeFile(corrupt, '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
    const bad = await checkCertificateFile(localHost, corrupt, { now });
    expect(bad.ok ? 'ok' : bad.error.code).toBe('probe-parse');
  });
});

describe('parseCertificateTime', () => {
  it('reads the OpenSSL form, padded day included, and nothing else', () => {
    expect(parseCertificateTime('Feb  1 00:00:00 2020 GMT')?.toISOString()).toBe('2020-02-01T00:00:00.000Z');
    expect(parseCertificateTime('Dec 31 23:59:59 2049 GMT')?.toISOString()).toBe('2049-12-31T23:59:59.000Z');
    expect(parseCertificateTime('2020-02-01T00:00:00Z')).toBeUndefined();
    expect(parseCertificateTime('Foo  1 00:00:00 2020 GMT')).toBeUndefined();
  });
});
