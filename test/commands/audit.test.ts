import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../src/core/audit.js';
import { AuditStore } from '../../src/store/audit-store.js';
import { openDatabase } from '../../src/store/database.js';
import { alice, bob, testConfig, testPipeline } from '../support/app.js';

const HOUR = 3_600_000;
const USAGE = 'usage: audit [--since ISO|duration] [--user EMAIL] [--last N]';

/** The real pipeline over an audit log already holding a few rows written at known times. */
function bot(locale: 'en' | 'fr' = 'en') {
  // Seeded rows at chosen times; the pipeline's own rows at the real time.
  let seeding: Date | undefined;
  const audit = new AuditStore(openDatabase(':memory:'), () => seeding ?? new Date());
  const row = (at: Date, actor: string, text: string, status: 'ok' | 'failed', detail?: string) => {
    seeding = at;
    audit.finish(audit.start({ actor, platform: 'slack', command: text, text }), status, detail);
  };
  const ago = (h: number) => new Date(Date.now() - h * HOUR);
  row(new Date('2026-01-15T14:30:00Z'), 'alice@epicerieledetour.org', 'backup status', 'ok');
  row(ago(5), 'bob@epicerieledetour.org', 'probe b7-srv', 'ok');
  row(
    ago(3),
    'bob@epicerieledetour.org',
    'ansible run site --tags nginx,wordpress,letsencrypt --limit b7-srv --check',
    'failed',
    'PLAY RECAP: b7-srv failed=1, the task "Install nginx" failed: no package matching nginx-full',
  );
  row(ago(1), 'alice@epicerieledetour.org', 'unlock dataproxies', 'ok');
  seeding = undefined;
  const config = testConfig({ locale, timezone: 'America/New_York' }, '/tmp');
  return testPipeline(config, {}, audit);
}

const lines = (text: string) => text.split('\n');

describe('audit', () => {
  it('is refused to a member who is not an admin, and the refusal is audited', async () => {
    const { ask, audit } = bot();
    const r = await ask('audit', bob);
    expect(r.outcome).toBe('denied');
    expect(r.text).toBe('"audit" is reserved for admins; bob@epicerieledetour.org is not one.');
    expect(audit.list({ limit: 1 })[0]).toMatchObject({
      actor: 'bob@epicerieledetour.org',
      command: 'audit',
      status: 'denied',
    });
  });

  it('lists the newest first, aligned, in the configured zone, long texts clipped, failures explained', async () => {
    const { ask } = bot();
    const r = await ask('audit', alice);
    expect(r.outcome).toBe('ok');
    const [header, ...rows] = lines(r.text);
    expect(header).toBe('Audit log, newest first:');
    // The audit command's own row, running, comes first.
    expect(rows[0]).toMatch(/^#5 {2}\d{4}-\d\d-\d\d \d\d:\d\d {2}alice@epicerieledetour\.org {2}running {2}audit$/);
    expect(rows.slice(1).map((l) => l.split(/ {2,}/)[4])).toEqual([
      'unlock dataproxies',
      'ansible run site --tags nginx,wordpress,letsenc…',
      'probe b7-srv',
      'backup status',
    ]);
    // 14:30 UTC is 09:30 in New York.
    expect(rows[4]).toBe('#1  2026-01-15 09:30  alice@epicerieledetour.org  ok       backup status');
    expect(rows[2]).toMatch(/ {2}failed {3}ansible run .*letsenc… {2}PLAY RECAP: b7-srv failed=1, the task "…$/);
    // Aligned: every row's status column starts at the same place.
    expect(new Set(rows.map((l) => l.indexOf(l.split(/ {2,}/)[3]!))).size).toBe(1);
    expect((r.data as AuditEntry[]).map((e) => e.id)).toEqual([5, 4, 3, 2, 1]);
  });

  it('filters by user (without regard to case), by time, and keeps the last N', async () => {
    const { ask } = bot();
    const texts = async (line: string) => lines((await ask(line, alice)).text).slice(1);
    expect(await texts('audit --user BOB@epicerieledetour.org')).toEqual([
      expect.stringContaining('ansible run site'),
      expect.stringContaining('probe b7-srv'),
    ]);
    // The audit commands themselves are rows too: this one (running) and the one before.
    expect(await texts('audit --since 2h --user alice@epicerieledetour.org')).toEqual([
      expect.stringMatching(/ {2}running {2}audit --since 2h --user alice@epicerieledetour\.…$/),
      expect.stringMatching(/ {2}ok {7}audit --user BOB@epicerieledetour\.org$/),
      expect.stringMatching(/ {2}ok {7}unlock dataproxies$/),
    ]);
    const since = new Date(Date.now() - 4 * HOUR).toISOString();
    expect(await texts(`audit --since ${since} --user bob@epicerieledetour.org`)).toEqual([
      expect.stringContaining('ansible run site'),
    ]);
    expect(await texts('audit --last 2')).toHaveLength(2);
    expect((await ask('audit --user nobody@epicerieledetour.org', alice)).text).toBe('no audit entry matches.');
  });

  it('answers a bad option with the usage, audited as usage', async () => {
    const { ask, audit } = bot();
    for (const [line, message] of [
      ['audit --last 0', '--last "0" must be a whole number from 1 to 100.'],
      ['audit --last 101', '--last "101" must be a whole number from 1 to 100.'],
      ['audit --last 5x', '--last "5x" must be a whole number from 1 to 100.'],
      [
        'audit --since yesterday',
        '--since "yesterday" is neither a date (2026-12-04, 2026-12-04T09:00) nor a duration (90s, 15m, 26h, 7d).',
      ],
      ['audit --since 2999-01-01', '--since "2999-01-01" is in the future.'],
    ] as const) {
      const r = await ask(line, alice);
      expect(r.outcome, line).toBe('usage');
      expect(r.text, line).toBe(`${message}\n${USAGE}`);
      expect(audit.list({ limit: 1 })[0], line).toMatchObject({ command: 'audit', status: 'usage', text: line });
    }
  });

  it('speaks French', async () => {
    const { ask } = bot('fr');
    expect(lines((await ask('audit --last 1', alice)).text)[0]).toBe(
      "Journal d'audit, du plus récent au plus ancien :",
    );
    expect((await ask('audit --last 0', alice)).text).toBe(
      '--last « 0 » doit être un nombre entier de 1 à 100.\nusage : audit [--since ISO|duration] [--user EMAIL] [--last N]',
    );
    expect((await ask('audit', bob)).text).toBe(
      "« audit » est réservée aux admins ; bob@epicerieledetour.org n'en fait pas partie.",
    );
  });
});
