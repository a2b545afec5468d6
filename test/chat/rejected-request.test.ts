import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { RejectedRequests } from '../../src/chat/rejected-request.js';
import type { Logger } from '../../src/core/logger.js';
import { Metrics } from '../../src/http/metrics.js';
import { AuditStore } from '../../src/store/audit-store.js';
import { openDatabase } from '../../src/store/database.js';

/** What the refusal log reads of a request: method, URL, remote address. */
const request = (remote: string, url: string) =>
  ({ method: 'POST', url, socket: { remoteAddress: remote } }) as unknown as IncomingMessage;

function world() {
  let clock = Date.parse('2026-12-04T10:00:00Z');
  const db = openDatabase(':memory:');
  const audit = new AuditStore(db, () => new Date(clock));
  const lines: string[] = [];
  const logger: Logger = {
    debug: () => {},
    info: () => {},
    warn: (fields, message) => void lines.push(`${message} ${JSON.stringify(fields)}`),
    error: () => {},
    child: () => logger,
  };
  const metrics = new Metrics();
  const rejected = new RejectedRequests({ metrics, logger, audit }, { now: () => clock });
  const rows = () =>
    db.prepare(`SELECT text, detail, length(text) + length(detail) AS size FROM audit`).all() as {
      text: string;
      detail: string;
      size: number;
    }[];
  return {
    rejected,
    rows,
    lines,
    metrics,
    advance: (ms: number) => {
      clock += ms;
    },
  };
}

const longUrl = (i: number) => `/mattermost/actions/${'a'.repeat(5_000)}?token=${'q'.repeat(5_000)}&n=${i}`;

describe('refused requests', () => {
  it('a flood from one source gives a few rows and lines, then one summary; metrics count them all', async () => {
    const w = world();
    for (let i = 0; i < 5_000; i++)
      w.rejected.record('mattermost', request('203.0.113.9', longUrl(i)), 401, 'bad_token');
    expect(w.rows()).toHaveLength(10);
    expect(w.lines).toHaveLength(10);
    for (const row of w.rows()) {
      expect(row.text.length).toBeLessThanOrEqual(220);
      expect(row.text).not.toContain('?');
      expect(row.text).not.toContain('qqq');
    }
    expect(w.rows()[0]?.text).toMatch(/^\(POST \/mattermost\/actions\/a+…\)$/);
    expect(JSON.stringify(w.lines)).not.toContain('qqq');
    // The minute ends: one summary, and the source may be heard again.
    w.advance(60_000);
    w.rejected.record('mattermost', request('203.0.113.9', '/mattermost/command'), 401, 'bad_token');
    const texts = w.rows().map((r) => r.text);
    expect(texts).toHaveLength(12);
    expect(texts).toContain('(4990 more refused from 203.0.113.9)');
    expect(w.lines.filter((l) => l.includes('4990 more refused from 203.0.113.9'))).toHaveLength(1);
    expect(await w.metrics.text()).toContain(
      'detour_rejected_requests_total{platform="mattermost",reason="bad_token"} 5001',
    );
    w.rejected.close();
  });

  it('a flood spread over many sources stays bounded too, and so does the map of sources', () => {
    const w = world();
    for (let i = 0; i < 20_000; i++) {
      w.rejected.record('slack', request(`2001:db8::${i.toString(16)}`, longUrl(i)), 401, 'bad_signature_or_stale');
      expect(w.rejected.sources).toBeLessThanOrEqual(1_001);
    }
    expect(w.rows()).toHaveLength(100);
    w.rejected.close();
    const summaries = w.rows().filter((r) => r.detail === 'requests refused: rate limited');
    // The five busiest sources by name, the rest in one row.
    expect(summaries.length).toBeLessThanOrEqual(6);
    expect(summaries.at(-1)?.text).toMatch(/^\(\d+ more refused from \d+ other sources\)$/);
    expect(w.rows().reduce((sum, r) => sum + r.size, 0)).toBeLessThan(106 * 300);
    expect(w.rejected.sources).toBe(0);
  });

  it('says nothing more when nothing was left out', () => {
    const w = world();
    w.rejected.record('mattermost', request('127.0.0.1', '/mattermost/actions'), 400, 'malformed');
    w.rejected.close();
    expect(w.rows().map((r) => [r.text, r.detail])).toEqual([
      ['(POST /mattermost/actions)', 'request refused: malformed'],
    ]);
  });
});
