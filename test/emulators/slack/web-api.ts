/**
 * The Web API front door: `POST {apiUrl}{method}`, as docs.slack.dev/apis/web-api describes it.
 * Arguments come as query string, `application/x-www-form-urlencoded`, `multipart/form-data`, or
 * (for write methods, token in `Authorization: Bearer` only) `application/json`. Errors are
 * HTTP 200 `{ok:false, error}`; an unknown method is `unknown_method` with `req_method`, also
 * HTTP 200 (observed, recorded in public code); a rate limit is HTTP 429 with `Retry-After` and
 * `{ok:false, error:"ratelimited"}`. Generic error names (not_authed, invalid_auth,
 * missing_post_type, invalid_post_type, invalid_charset, invalid_json, json_not_object,
 * not_allowed_token_type, missing_scope with needed/provided) are the ones every method page
 * lists (slack-ruby/slack-api-ref methods/*.json, scraped from Slack's method pages; the
 * needed/provided fields from slackapi/java-slack-sdk json-logs/samples/api/*.json).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorState } from './state.js';
import { randomId } from './state.js';

export type Json = Record<string, unknown>;
export type Params = Record<string, unknown>;

export interface MethodContext {
  state: EmulatorState;
  params: Params;
  baseUrl: string;
}

export interface MethodResult {
  body: Json;
  status?: number;
}

export interface MethodDef {
  /** Scope the bot token needs; a function when it depends on the arguments. */
  scope?: string | ((ctx: MethodContext) => string | undefined);
  token: 'bot' | 'app';
  /** Whether Slack reads a JSON body for this method ("most write methods"). */
  json: boolean;
  handler: (ctx: MethodContext) => MethodResult | Promise<MethodResult>;
}

export function ok(body: Json = {}): MethodResult {
  return { body: { ok: true, ...body } };
}

export function fail(error: string, extra: Json = {}): MethodResult {
  return { body: { ok: false, error, ...extra } };
}

export function str(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** A JSON-valued argument: a string in a form, a value in a JSON body. */
export function jsonArg(value: unknown): { value?: unknown; malformed: boolean } {
  if (typeof value !== 'string') return { value, malformed: false };
  try {
    return { value: JSON.parse(value), malformed: false };
  } catch {
    return { malformed: true };
  }
}

interface Parsed {
  params: Params;
  token?: string;
  error?: string;
  warnings: string[];
  contentType?: string;
}

async function parseArguments(req: IncomingMessage, raw: Buffer, url: URL, def: MethodDef): Promise<Parsed> {
  const params: Params = Object.fromEntries(url.searchParams);
  const warnings: string[] = [];
  const header = req.headers['content-type'];
  const auth = req.headers.authorization;
  const bearer = auth?.startsWith('Bearer ') ? auth.slice('Bearer '.length) : undefined;
  if (req.method === 'POST' && raw.length > 0) {
    if (!header) return { params, error: 'missing_post_type', warnings };
    const [type = '', ...rest] = header.split(';').map((p) => p.trim().toLowerCase());
    const charset = rest.find((p) => p.startsWith('charset='))?.slice('charset='.length);
    if (charset && charset !== 'utf-8' && charset !== 'iso-8859-1')
      return { params, error: 'invalid_charset', warnings, contentType: header };
    if (type === 'application/x-www-form-urlencoded') {
      Object.assign(params, Object.fromEntries(new URLSearchParams(raw.toString('utf8'))));
    } else if (type === 'application/json') {
      let body: unknown;
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        return { params, error: 'invalid_json', warnings, contentType: header };
      }
      if (typeof body !== 'object' || body === null || Array.isArray(body))
        return { params, error: 'json_not_object', warnings, contentType: header };
      if (!charset) warnings.push('missing_charset');
      // JSON bodies are read only by write methods, and a token inside them is never read.
      if (def.json) Object.assign(params, body);
      return { params, token: bearer, warnings, contentType: header };
    } else if (type === 'multipart/form-data') {
      const form = await new Response(raw, { headers: { 'content-type': header } }).formData();
      for (const [key, value] of form)
        params[key] = typeof value === 'string' ? value : Buffer.from(await value.arrayBuffer());
    } else {
      return { params, error: 'invalid_post_type', warnings, contentType: header };
    }
  }
  const token = bearer ?? str(params.token);
  delete params.token;
  return { params, token, warnings, contentType: header };
}

function send(res: ServerResponse, status: number, body: Json, headers: Record<string, string> = {}): void {
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'x-slack-req-id': randomId('', 16).toLowerCase(),
    ...headers,
  });
  res.end(JSON.stringify(body));
}

export async function handleApiRequest(
  state: EmulatorState,
  methods: Record<string, MethodDef>,
  req: IncomingMessage,
  res: ServerResponse,
  raw: Buffer,
  baseUrl: string,
): Promise<void> {
  const url = new URL(req.url ?? '/', baseUrl);
  const method = url.pathname.slice('/api/'.length);
  const record = (status: number, response: Json, params: Params, token?: string, contentType?: string) =>
    state.calls.push({
      method,
      params,
      token,
      time: state.now(),
      httpMethod: req.method ?? '',
      contentType,
      status,
      response,
    });

  const def = methods[method];
  if (!def) {
    const body = { ok: false, error: 'unknown_method', req_method: method };
    record(200, body, {});
    return send(res, 200, body);
  }
  const parsed = await parseArguments(req, raw, url, def);
  const failure = state.takeFailure(method);
  if (failure) {
    const status = failure.status ?? (failure.retryAfter !== undefined ? 429 : 200);
    const body = { ok: false, error: failure.error ?? (status === 429 ? 'ratelimited' : 'internal_error') };
    const headers: Record<string, string> =
      failure.retryAfter !== undefined ? { 'retry-after': String(failure.retryAfter) } : {};
    record(status, body, parsed.params, parsed.token, parsed.contentType);
    return send(res, status, body, headers);
  }
  const answer = (result: MethodResult, accepted?: string) => {
    const body = { ...result.body };
    if (parsed.warnings.length > 0) {
      body.warning = parsed.warnings.join(',');
      body.response_metadata = {
        ...(body.response_metadata as Json | undefined),
        warnings: parsed.warnings,
        messages: ["[WARN] A Content-Type HTTP header was presented but did not declare a charset, such as a 'utf-8'"],
      };
    }
    record(result.status ?? 200, body, parsed.params, parsed.token, parsed.contentType);
    const tokenScopes = parsed.token === state.options.botToken ? state.scopes.join(',') : 'connections:write';
    send(res, result.status ?? 200, body, {
      'x-oauth-scopes': tokenScopes,
      'x-accepted-oauth-scopes': accepted ?? '',
    });
  };
  if (parsed.error) return answer(fail(parsed.error));
  if (!parsed.token) return answer(fail('not_authed'));
  const tokenType =
    parsed.token === state.options.botToken ? 'bot' : parsed.token === state.options.appToken ? 'app' : undefined;
  if (!tokenType) return answer(fail('invalid_auth'));
  if (tokenType !== def.token) return answer(fail('not_allowed_token_type'));
  const ctx: MethodContext = { state, params: parsed.params, baseUrl };
  const needed = typeof def.scope === 'function' ? def.scope(ctx) : def.scope;
  if (tokenType === 'bot' && needed && !state.scopes.includes(needed))
    return answer(fail('missing_scope', { needed, provided: state.scopes.join(',') }), needed);
  return answer(await def.handler(ctx), needed);
}
