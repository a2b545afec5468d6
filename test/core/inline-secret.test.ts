import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.js';
import type { Logger } from '../../src/core/logger.js';
import { createPipeline } from '../../src/core/pipeline.js';
import { Secret } from '../../src/core/secret.js';
import type { Services } from '../../src/core/services.js';
import { AuditStore } from '../../src/store/audit-store.js';
import { type Db, openDatabase } from '../../src/store/database.js';

const CANARY = 'hunter2-Canary-7f3a';

/** Every line any level of the logger or its children received, as JSON. */
function recordingLogger(lines: string[], bindings: object = {}): Logger {
  const at = (level: string) => (fields: object, message?: string) =>
    lines.push(JSON.stringify({ level, ...bindings, ...fields, message }));
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (more) => recordingLogger(lines, { ...bindings, ...more }),
  };
}

let dir: string;
let db: Db;
let file: string;
const logLines: string[] = [];
const unlocked: string[] = [];
const asked: string[] = [];

const services = {
  operations: {
    unlockTargets: () => ['data'],
    async unlock(target: string, passphrase: Secret) {
      unlocked.push(`${target}:${passphrase.reveal()}`);
      return { via: 'local', host: 'local', report: { ok: true, steps: [] } };
    },
  },
} as unknown as Services;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'detour-inline-'));
  file = join(dir, 'detour.db');
  db = openDatabase(file);
});
afterAll(async () => {
  db.close();
  await rm(dir, { recursive: true, force: true });
});

function pipelineFor(locale: 'en' | 'fr') {
  return createPipeline({
    commands,
    access: { allowedDomains: ['epicerieledetour.org'], admins: ['alice@epicerieledetour.org'] },
    audit: new AuditStore(db),
    services,
    locale,
    timeZone: 'Europe/Paris',
    logger: recordingLogger(logLines),
  });
}

describe('a passphrase typed after the command', () => {
  const typed = [
    `unlock data ${CANARY}`,
    `unlock data --check ${CANARY}`,
    `unlock data "${CANARY} and more"`,
    `unlock data "${CANARY}`,
    `unlock data --passphrase=${CANARY}`,
    `unlock data --check=${CANARY}`,
    `UNLOCK data ${CANARY} ${CANARY}`,
  ];

  it('is refused before anything runs, with a clear message, and kept nowhere', async () => {
    for (const locale of ['en', 'fr'] as const) {
      const pipeline = pipelineFor(locale);
      for (const text of typed) {
        const r = await pipeline({
          text,
          actor: { kind: 'user', email: 'alice@epicerieledetour.org' },
          platform: 'slack',
          requireConfirmation: true,
          askSecret: async (prompt) => {
            asked.push(prompt);
            return new Secret('x');
          },
        });
        expect({ text, outcome: r.outcome }).toEqual({ text, outcome: 'usage' });
        expect(r.text).toMatch(
          locale === 'en'
            ? /^type the passphrase only in the prompt, never in the command/
            : /^tapez la phrase de passe seulement dans la fenêtre prévue, jamais dans la commande/,
        );
        expect(r.text).not.toContain(CANARY);
        expect(r.replyIn).toBe('private');
      }
    }
    expect(asked).toEqual([]);
    expect(unlocked).toEqual([]);
    // The database file as any reader sees it: every column of every row of the audit table.
    const reader = new Database(file, { readonly: true });
    const rows = reader.prepare('SELECT * FROM audit').all() as Record<string, unknown>[];
    reader.close();
    expect(rows).toHaveLength(typed.length * 2);
    expect(JSON.stringify(rows)).not.toContain(CANARY);
    expect(rows.map((r) => r.text)).toContain('unlock data [redacted]');
    expect(rows.map((r) => r.text)).toContain('unlock data --check [redacted]');
    expect(rows.every((r) => r.status === 'usage')).toBe(true);
    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.join('\n')).not.toContain(CANARY);
  });

  it('leaves a command without one as it was typed', async () => {
    const r = await pipelineFor('en')({
      text: 'unlock data --check',
      actor: { kind: 'local', username: 'root' },
      platform: 'console',
      askSecret: async () => new Secret('right'),
    });
    expect(r.outcome).toBe('ok');
    expect(unlocked).toEqual(['data:right']);
    expect(new AuditStore(db).list({ limit: 1 })[0]).toMatchObject({ text: 'unlock data --check', status: 'ok' });
  });
});
