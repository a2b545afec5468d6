import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Route = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/** `GET /healthz` → route; later issues add /slack/events, /mattermost/*, /metrics. */
export type Routes = Record<string, Route>;

export interface HttpServer {
  server: Server;
  /** The address actually bound (port 0 picks a free one). */
  address: { host: string; port: number };
  close(): Promise<void>;
}

/**
 * The bot's one HTTP server. Unknown paths get 404, a request a route cannot
 * read 400 or 413, a handler crash 500, never a dead process. No answer ever
 * holds an error's message or stack: those go to `onError` (the log) only.
 */
export async function startHttpServer(
  listen: string,
  routes: Routes,
  onError: (error: unknown) => void,
): Promise<HttpServer> {
  const at = listen.lastIndexOf(':');
  const host = listen.slice(0, at);
  const port = Number(listen.slice(at + 1));
  const server = createServer(async (req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const route = routes[`${req.method} ${path}`] ?? prefixRoute(routes, req.method ?? '', path);
    try {
      if (route) await route(req, res);
      else sendJson(res, 404, { error: 'not_found' });
    } catch (error) {
      const refusal = clientError(error);
      if (!refusal) onError(error);
      if (res.headersSent) res.end();
      else if (refusal) sendJson(res, refusal.status, { error: refusal.code }, { connection: 'close' });
      else sendJson(res, 500, { error: 'internal_error' });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const bound = server.address() as AddressInfo;
  return {
    server,
    address: { host: bound.address, port: bound.port },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** `GET /prompt/*` serves every path under /prompt/. */
function prefixRoute(routes: Routes, method: string, path: string): Route | undefined {
  for (const [key, route] of Object.entries(routes)) {
    if (!key.endsWith('/*')) continue;
    const prefix = key.slice(0, -1);
    if (`${method} ${path}`.startsWith(prefix) && path.length > prefix.length - method.length - 1) return route;
  }
  return undefined;
}

/** Reads a request body up to `limit` bytes; a larger one is refused, not buffered. */
export async function readBody(req: IncomingMessage, limit = 64 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new BodyTooLargeError(limit);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** A request the route could not read: the client's fault, answered 4xx with a code, not logged as a crash. */
export class RequestError extends Error {
  readonly status: 400 | 413;
  readonly code: string;

  constructor(status: 400 | 413, code: string, message: string) {
    super(message);
    this.name = new.target.name;
    this.status = status;
    this.code = code;
  }
}

export class BodyTooLargeError extends RequestError {
  constructor(limit: number) {
    super(413, 'payload_too_large', `request body larger than ${limit} bytes`);
  }
}

/**
 * The 4xx answer an error deserves, or undefined for a crash. A bad `%`
 * escape in a path (decodeURIComponent's URIError) is the client's too.
 */
export function clientError(error: unknown): { status: 400 | 413; code: string } | undefined {
  if (error instanceof RequestError) return { status: error.status, code: error.code };
  if (error instanceof URIError) return { status: 400, code: 'bad_request' };
  return undefined;
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
