import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretPrompts } from '../../src/chat/secret-prompts.js';
import { secretPageRoutes } from '../../src/http/secret-page.js';
import { type HttpServer, readBody, startHttpServer } from '../../src/http/server.js';
import { openDatabase } from '../../src/store/database.js';

const CANARY = 'internal-detail-4b1d';
let http: HttpServer;
let prompts: SecretPrompts;
const logged: unknown[] = [];

/** A raw request, so that malformed paths reach the server as sent. */
function send(
  method: string,
  path: string,
  body?: string | Buffer,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: http.address.host, port: http.address.port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    // The server may answer and close before the whole body is sent: that is the point.
    req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' ? undefined : reject(error)));
    if (body !== undefined) req.end(body);
    else req.end();
  });
}

const form = (fields: Record<string, string>) => ({
  body: new URLSearchParams(fields).toString(),
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
});

function expectNoStack(body: string): void {
  expect(body).not.toMatch(/\bat .*\(?\/.*:\d+:\d+\)?/);
  expect(body).not.toMatch(/Error\b/);
  expect(body).not.toContain(CANARY);
  expect(body).not.toContain('node_modules');
  expect(body).not.toContain('/src/');
}

beforeAll(async () => {
  prompts = new SecretPrompts(openDatabase(':memory:'));
  http = await startHttpServer(
    '127.0.0.1:0',
    {
      ...secretPageRoutes(prompts, 'en'),
      'GET /crash': () => {
        throw new Error(`boom ${CANARY}`);
      },
      'POST /echo': async (req, res) => {
        res.end(await readBody(req, 1024));
      },
    },
    (error) => logged.push(error),
  );
});
afterAll(async () => {
  prompts.close();
  await http.close();
});

describe('the passphrase page answers bad requests briefly, never with a stack', () => {
  it('a link with a bad % escape is a 400 page', async () => {
    for (const path of ['/prompt/%E0%A4%A', '/prompt/%zz', '/prompt/abc%']) {
      const get = await send('GET', path);
      expect({ path, status: get.status }).toEqual({ path, status: 400 });
      expect(get.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(get.body).toContain('<p id="status">This link is not valid.</p>');
      expectNoStack(get.body);
      const post = await send('POST', path, form({ secret: 'x' }).body, form({}).headers);
      expect(post.status).toBe(400);
      expectNoStack(post.body);
    }
  });

  it('a body over 16 kB is a 413 page, and the link still works afterwards', async () => {
    const open = prompts.open({ platform: 'slack', userId: 'U1', actor: 'alice', purpose: 'data', ttlMs: 60_000 });
    open.secret.catch(() => undefined);
    const big = form({ secret: 'x'.repeat(17 * 1024) });
    const refused = await send('POST', `/prompt/${open.token}`, big.body, big.headers);
    expect(refused.status).toBe(413);
    expect(refused.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(refused.body).toContain('<p id="status">');
    expectNoStack(refused.body);
    expect((await send('GET', `/prompt/${open.token}`)).status).toBe(200);
    prompts.attachResult(open.token, Promise.resolve('unlocked'));
    const typed = form({ secret: 'right' });
    const ok = await send('POST', `/prompt/${open.token}`, typed.body, typed.headers);
    expect(ok.status).toBe(200);
    expect((await open.secret).reveal()).toBe('right');
  });

  it('elsewhere on the server, a crash is a bare 500 and an oversized body a 413, without details', async () => {
    const crash = await send('GET', '/crash');
    expect(crash.status).toBe(500);
    expect(JSON.parse(crash.body)).toEqual({ error: 'internal_error' });
    expectNoStack(crash.body);
    const big = await send('POST', '/echo', 'y'.repeat(4096));
    expect(big.status).toBe(413);
    expect(JSON.parse(big.body)).toEqual({ error: 'payload_too_large' });
    // The details go to the log only.
    expect(String(logged.find((e) => String(e).includes(CANARY)))).toContain(CANARY);
  });
});
