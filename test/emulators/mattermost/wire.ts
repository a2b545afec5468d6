/** HTTP plumbing of the emulator: body reading, token parsing, injected faults, call records. */
import type { IncomingMessage } from 'node:http';
import { appError, type Reply } from './app-error.js';

export interface Fault {
  /** 429: the rate limiter's text/plain answer; 500: an AppError; 502-504: a proxy's HTML page. */
  status: 429 | 500 | 502 | 503 | 504;
  /** How many matching requests fail (1). */
  times?: number;
  /** Retry-After for 429 (1 s). */
  retryAfterSeconds?: number;
}

export function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) over = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(over ? 'too-large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** app.ParseAuthTokenFromRequest: "BEARER"/"TOKEN" prefixes case-insensitively, or ?access_token. */
export function parseToken(req: IncomingMessage, query: URLSearchParams): { token: string; inQuery: boolean } {
  const header = req.headers.authorization ?? '';
  if (header.length > 6 && header.slice(0, 6).toUpperCase() === 'BEARER')
    return { token: header.slice(7), inQuery: false };
  if (header.length > 5 && header.slice(0, 5).toLowerCase() === 'token')
    return { token: header.slice(6), inQuery: false };
  return { token: query.get('access_token') ?? '', inQuery: query.has('access_token') };
}

export function faultReply(fault: Fault): Reply {
  if (fault.status === 429) {
    // app/ratelimit.go RateLimitWriter: throttled's headers, then http.Error(w, "limit exceeded", 429).
    const retry = String(fault.retryAfterSeconds ?? 1);
    return {
      status: 429,
      text: 'limit exceeded\n',
      headers: {
        'Content-Type': 'text/plain; charset=utf-8',
        'X-Content-Type-Options': 'nosniff',
        'X-Ratelimit-Limit': '10',
        'X-Ratelimit-Remaining': '0',
        'X-Ratelimit-Reset': retry,
        'Retry-After': retry,
      },
    };
  }
  if (fault.status === 500) {
    // The real id depends on what failed inside the server; a client must not rely on it.
    return { status: 500, json: appError('emulator.injected_fault.app_error', 500) };
  }
  const title = { 502: 'Bad Gateway', 503: 'Service Temporarily Unavailable', 504: 'Gateway Time-out' }[fault.status];
  const page = `<html>\r\n<head><title>${fault.status} ${title}</title></head>\r\n<body>\r\n<center><h1>${fault.status} ${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
  return { status: fault.status, text: page, headers: { 'Content-Type': 'text/html' } };
}

/** A readable form of a request body for `calls`. */
export function describeBody(contentType: string, body: Buffer | 'too-large'): unknown {
  if (body === 'too-large') return '<too large>';
  if (body.length === 0) return undefined;
  const type = (contentType.split(';')[0] ?? '').trim();
  if (type === 'multipart/form-data') return `<multipart ${body.length} bytes>`;
  const text = body.toString('utf8');
  if (type === 'application/json' || /^[[{]/.test(text)) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}
