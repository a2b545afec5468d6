import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { connect, rootCertificates } from 'node:tls';
import type { CertificateSample } from '../core/ports/probes.js';
import { describeCertificate } from './certificate-info.js';
import type { HostAccess } from './host-access.js';
import type { ProbeErrorKind, ProbeResult } from './probe-error.js';
import { DEFAULT_PROBE_TIMEOUT_MS, ProbeError, readText } from './probe-error.js';

/** One watched certificate's outcome, labelled with what was watched (URL or file path). */
export type CertificateCheck = ProbeResult<CertificateSample> & { target: string };

export interface ServerCertificateTarget {
  url: string;
  /** SNI name to send instead of the URL's host (e.g. a vhost reached by IP). */
  servername?: string;
}

export interface TlsEndpoint {
  host: string;
  port: number;
  /** Null for IP literals: RFC 6066 forbids them in SNI. */
  servername: string | null;
}

const DEFAULT_PORTS: Record<string, number> = {
  'https:': 443,
  'wss:': 443,
  'ldaps:': 636,
  'smtps:': 465,
  'imaps:': 993,
  'pop3s:': 995,
};

const PROBE = 'certificates';
const CLOSE_GRACE_MS = 2_000;

/** Where to connect for a watched URL; throws a typed parse error for an unusable one. */
export function parseTlsUrl(target: ServerCertificateTarget): TlsEndpoint {
  let url: URL;
  try {
    url = new URL(target.url);
  } catch (cause) {
    throw new ProbeError(PROBE, 'parse', `not a URL: ${target.url}`, { cause });
  }
  const port = url.port === '' ? DEFAULT_PORTS[url.protocol] : Number(url.port);
  if (port === undefined || url.hostname === '') {
    throw new ProbeError(PROBE, 'parse', `no host or port in ${target.url}`);
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const servername = target.servername ?? (isIP(host) === 0 ? host : null);
  return { host, port, servername };
}

export interface ServerCheckOptions {
  now: () => Date;
  timeoutMs?: number;
  /** CA certificates (PEM) trusted in addition to Node's bundled roots, e.g. a private CA. */
  extraCa?: readonly string[];
}

/** Node reports a failed verification as a code string, though typed as an Error. */
function authorizationCode(socket: TLSSocket): string | null {
  const error: unknown = socket.authorizationError;
  if (error === null || error === undefined) return null;
  if (typeof error === 'string') return error;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : String(error);
}

function classify(error: unknown, tcpConnected: boolean, where: string): ProbeError {
  const code = (error as { code?: unknown }).code;
  let kind: ProbeErrorKind = 'network';
  if (code === 'ECONNREFUSED') kind = 'refused';
  else if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') kind = 'dns';
  else if (code === 'ETIMEDOUT') kind = 'timeout';
  // Anything going wrong once TCP is up is the handshake failing (a reset included).
  else if (tcpConnected || (typeof code === 'string' && /^ERR_(SSL|TLS)_/.test(code))) kind = 'tls';
  const why = typeof code === 'string' ? code : 'error';
  return new ProbeError(PROBE, kind, `${where}: ${kind} (${why})`, { cause: error });
}

/**
 * Connects, completes a handshake without rejecting anything, and reads the
 * leaf certificate. Chain and host-name validity come from Node's own
 * verification (`authorized`), reported rather than enforced, so an expired
 * or self-signed certificate still yields its dates.
 */
export async function checkServerCertificate(
  target: ServerCertificateTarget,
  options: ServerCheckOptions,
): Promise<CertificateCheck> {
  let endpoint: TlsEndpoint;
  try {
    endpoint = parseTlsUrl(target);
  } catch (error) {
    if (error instanceof ProbeError) return { ok: false, error, target: target.url };
    throw error;
  }
  const { host, port, servername } = endpoint;
  const where = `${host}:${port}`;
  const timeoutMs = options.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
  return new Promise<CertificateCheck>((resolve) => {
    let done = false;
    let tcpConnected = false;
    const socket = connect({
      host,
      port,
      ...(servername === null ? {} : { servername }),
      rejectUnauthorized: false,
      ...(options.extraCa ? { ca: [...rootCertificates, ...options.extraCa] } : {}),
    });
    const finish = (result: ProbeResult<CertificateSample>): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (result.ok) {
        // A graceful close lets our Finished and close_notify reach the server, so it
        // does not log a failed handshake every time we look; destroy if it never answers.
        socket.end();
        setTimeout(() => socket.destroy(), CLOSE_GRACE_MS).unref();
      } else {
        socket.destroy();
      }
      resolve({ ...result, target: target.url });
    };
    const fail = (error: ProbeError): void => finish({ ok: false, error });
    const timer = setTimeout(() => {
      fail(new ProbeError(PROBE, 'timeout', `${where}: no TLS handshake within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('connect', () => {
      tcpConnected = true;
    });
    // Kept (not `once`): a late error after destroy must not become an unhandled event.
    socket.on('error', (error) => fail(classify(error, tcpConnected, where)));
    socket.once('secureConnect', () => {
      const leaf = socket.getPeerX509Certificate();
      if (!leaf) return fail(new ProbeError(PROBE, 'tls', `${where}: no server certificate`));
      const code = authorizationCode(socket);
      const sample = describeCertificate(leaf, options.now(), {
        source: 'server',
        chain: { valid: socket.authorized && code === null, error: code },
        servername,
      });
      if (!sample) return fail(new ProbeError(PROBE, 'parse', `${where}: unreadable validity dates`));
      return finish({ ok: true, sample });
    });
  });
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;

/**
 * A certificate file (a client certificate, say) read through the host and
 * parsed with X509Certificate. The first certificate in the file is the one
 * checked: a bundle lists the leaf first, and a key before it is skipped.
 */
export async function checkCertificateFile(
  host: HostAccess,
  path: string,
  options: { now: () => Date },
): Promise<CertificateCheck> {
  try {
    const text = await readText(host, PROBE, path);
    const pem = PEM_CERTIFICATE.exec(text)?.[0];
    if (!pem) throw new ProbeError(PROBE, 'parse', `${path}: no PEM certificate`);
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(pem);
    } catch (cause) {
      throw new ProbeError(PROBE, 'parse', `${path}: invalid certificate`, { cause });
    }
    const sample = describeCertificate(cert, options.now(), {
      source: 'file',
      chain: null,
      servername: null,
    });
    if (!sample) throw new ProbeError(PROBE, 'parse', `${path}: unreadable validity dates`);
    return { ok: true, sample, target: path };
  } catch (error) {
    if (error instanceof ProbeError) return { ok: false, error, target: path };
    throw error;
  }
}
