import { describe, expect, it } from 'vitest';
import { ChatSession, type ChatSurface, runChatRequest } from '../../src/chat/chat-session.js';
import { confirmationTexts } from '../../src/chat/confirmation-texts.js';
import type { ChatMessage } from '../../src/chat/message.js';
import { silentLogger } from '../../src/core/logger.js';
import type { PipelineResult } from '../../src/core/pipeline.js';
import { Secret } from '../../src/core/secret.js';
import { Metrics } from '../../src/http/metrics.js';
import { AuditStore } from '../../src/store/audit-store.js';
import { type Confirmation, ConfirmationStore } from '../../src/store/confirmation-store.js';
import { openDatabase } from '../../src/store/database.js';

/** A surface that records what it was asked to show. */
function recordingSurface() {
  const seen: string[] = [];
  const surface: ChatSurface = {
    replyPrivately: async (m: ChatMessage) => void seen.push(`private:${m.body}`),
    replyInChannel: async (m: ChatMessage) => void seen.push(`channel:${m.title ?? ''}|${m.body}`),
    showProgress: async (m: ChatMessage, final: boolean) => void seen.push(`${final ? 'final' : 'progress'}:${m.body}`),
    askConfirmation: async (c, m) => void seen.push(`confirm:${c.text}:${m.body}`),
    askSecret: async () => new Secret('x'),
  };
  return { seen, surface };
}

function deps(pipeline: (inv: { progress?: (l: string) => void }) => Promise<PipelineResult>, slowAfterMs = 2_000) {
  const confirmations = new ConfirmationStore(openDatabase(':memory:'));
  return {
    confirmations,
    deps: {
      pipeline: pipeline as never,
      confirmations,
      metrics: new Metrics(),
      confirmationTtlMs: 600_000,
      now: () => new Date(),
      workingText: 'Working on it…',
      slowAfterMs,
      confirmText: (text: string, min: number) => `Run "${text}"? (${min} min)`,
      onError: (e: unknown) => {
        throw e;
      },
    },
  };
}

const request = {
  platform: 'test',
  actor: { kind: 'user', email: 'alice@x.org' } as const,
  userId: 'U1',
  channelId: 'C1',
  receivedAt: Date.now(),
};
const result = (extra: Partial<PipelineResult>): PipelineResult => ({
  outcome: 'ok',
  text: 'done',
  auditId: 1,
  replyIn: 'private',
  ...extra,
});

describe('a chat request', () => {
  it('answers a quick command privately, with no "working on it"', async () => {
    const { seen, surface } = recordingSurface();
    await runChatRequest(deps(async () => result({})).deps, { ...request, text: 'help' }, surface);
    expect(seen).toEqual(['private:done']);
  });

  it('says "working on it" only when the command is slow, then answers in the channel', async () => {
    const { seen, surface } = recordingSurface();
    const slow = async () => {
      await new Promise((r) => setTimeout(r, 120));
      return result({ replyIn: 'channel', text: 'Title\nbody' });
    };
    await runChatRequest(deps(slow, 30).deps, { ...request, text: 'ansible run site' }, surface);
    expect(seen).toEqual(['private:Working on it…', 'channel:Title|body']);
  });

  it('shows progress in one message and puts the result in it', async () => {
    const { seen, surface } = recordingSurface();
    const withProgress = async (inv: { progress?: (l: string) => void }) => {
      for (const n of [1, 2, 3]) inv.progress?.(`task ${n}/3`);
      return result({ text: 'recap' });
    };
    await runChatRequest(deps(withProgress).deps, { ...request, text: 'ansible run site' }, surface);
    // Three progress lines within a second: one shown, the rest folded into the final update.
    expect(seen).toEqual(['progress:… task 1/3', 'final:recap']);
  });

  it('turns a command that changes something into a stored confirmation bound to the user', async () => {
    const { seen, surface } = recordingSurface();
    const { deps: d } = deps(async () => result({ outcome: 'confirm', text: 'unlock dataproxies' }));
    await runChatRequest(d, { ...request, text: 'unlock dataproxies' }, surface);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toBe('confirm:unlock dataproxies:Run "unlock dataproxies"? (10 min)');
  });
});

describe('confirmations', () => {
  it('belong to the user who asked, expire, and are decided once', () => {
    const store = new ConfirmationStore(openDatabase(':memory:'));
    const t0 = new Date('2026-11-24T10:00:00Z');
    const c = store.create(
      {
        platform: 'slack',
        userId: 'U1',
        actor: 'a@x.org',
        text: 'unlock x',
        channelId: 'C1',
        ttlMs: 60_000,
      },
      t0,
    );
    expect(store.decide(c.id, 'U2', 'confirmed', t0)).toMatchObject({ ok: false, reason: 'other_user' });
    expect(store.decide(c.id, 'U1', 'confirmed', t0)).toMatchObject({ ok: true, confirmation: { state: 'confirmed' } });
    expect(store.decide(c.id, 'U1', 'confirmed', t0)).toMatchObject({ ok: false, reason: 'already_decided' });
    const late = store.create(
      {
        platform: 'slack',
        userId: 'U1',
        actor: 'a@x.org',
        text: 'unlock y',
        channelId: 'C1',
        ttlMs: 60_000,
      },
      t0,
    );
    expect(store.decide(late.id, 'U1', 'confirmed', new Date(t0.getTime() + 61_000))).toMatchObject({
      ok: false,
      reason: 'expired',
    });
    expect(store.decide('nope', 'U1', 'confirmed', t0)).toMatchObject({ ok: false, reason: 'unknown' });
  });
});

describe('the chat session (one inbound path for every platform)', () => {
  function session(options: { email?: (id: string) => Promise<string>; now?: () => Date } = {}) {
    const db = openDatabase(':memory:');
    const audit = new AuditStore(db);
    const confirmations = new ConfirmationStore(db);
    const runs: { text: string; confirmed?: boolean; actor: unknown }[] = [];
    const pipeline = async (inv: { text: string; confirmed?: boolean; actor: unknown }): Promise<PipelineResult> => {
      runs.push({ text: inv.text, confirmed: inv.confirmed, actor: inv.actor });
      return result({ outcome: inv.confirmed ? 'ok' : 'confirm', text: inv.confirmed ? 'done' : inv.text });
    };
    const s = new ChatSession({
      platform: 'test',
      pipeline: pipeline as never,
      confirmations,
      audit,
      metrics: new Metrics(),
      logger: silentLogger,
      now: options.now ?? (() => new Date()),
      confirmTimeoutMs: 600_000,
      texts: { ...confirmationTexts('en'), working: 'Working on it…', noEmail: 'Who are you?' },
      email: options.email ?? (async (id) => `${id.toLowerCase()}@x.org`),
      mention: (id, fallback) => (id === 'U1' ? '@alice' : fallback),
    });
    return { s, audit, confirmations, runs };
  }
  const answering = () => {
    const recorded = recordingSurface();
    const privately: string[] = [];
    return {
      seen: recorded.seen,
      privately,
      surface: () => recorded.surface,
      answerPrivately: async (text: string) => void privately.push(text),
    };
  };

  it('refuses a user whose e-mail the platform will not give, privately, with one audit row', async () => {
    const { s, audit, runs } = session({ email: () => Promise.reject(new Error('no e-mail')) });
    const a = answering();
    await s.command({ ...a, userId: 'U9', channelId: 'C1', text: 'backup status', receivedAt: Date.now() });
    expect(a.privately).toEqual(['Who are you?']);
    expect(a.seen).toEqual([]);
    expect(runs).toEqual([]);
    expect(audit.list()).toMatchObject([
      { actor: 'test:U9', platform: 'test', text: 'backup status', status: 'denied', detail: 'e-mail unknown' },
    ]);
  });

  it('decides a confirmation: only its owner, once, before it expires; refusals are answered and audited', async () => {
    let now = new Date('2026-12-04T10:00:00Z');
    const { s, audit, confirmations, runs } = session({ now: () => now });
    let confirmation: Confirmation | undefined;
    const a = answering();
    await s.command({
      ...a,
      userId: 'U1',
      channelId: 'C1',
      text: 'unlock data',
      receivedAt: Date.now(),
      onConfirmation: (c) => {
        confirmation = c;
      },
    });
    expect(a.seen).toEqual(['confirm:unlock data:Run "unlock data"? (this confirmation is valid 10 min)']);
    const id = confirmation?.id ?? '';
    const answers: string[] = [];
    const rerun = answering();
    const decision = (userId: string, decision: 'confirmed' | 'cancelled', confirmationId = id) =>
      s.decide({
        userId,
        confirmationId,
        decision,
        refuse: (text) => void answers.push(`refused:${text}`),
        decided: (text) => void answers.push(`decided:${text}`),
        rerun: () => rerun,
      });
    await decision('U2', 'confirmed');
    await decision('U1', 'confirmed', 'no-such-confirmation');
    await decision('U1', 'confirmed');
    await decision('U1', 'cancelled');
    expect(answers).toEqual([
      'refused:Only @alice can confirm or cancel this command.',
      'refused:This confirmation has expired: run the command again.',
      'decided:@alice confirmed "unlock data": running it.',
      'refused:This command was already confirmed or cancelled.',
    ]);
    // Re-run once, confirmed, by its owner, answered the way the adapter said.
    expect(runs.map((r) => [r.text, r.confirmed])).toEqual([
      ['unlock data', undefined],
      ['unlock data', true],
    ]);
    expect(rerun.seen).toEqual(['private:done']);
    expect(
      audit
        .list()
        .filter((e) => e.status === 'denied')
        .map((e) => [e.actor, e.detail]),
    ).toEqual([
      ['test:U1', 'confirmation refused: already_decided'],
      ['test:U1', 'confirmation refused: unknown'],
      ['test:U2', 'confirmation refused: other_user'],
    ]);
    const late = confirmations.create(
      { platform: 'test', userId: 'U1', actor: 'u1@x.org', text: 'unlock y', channelId: 'C1', ttlMs: 60_000 },
      now,
    );
    now = new Date(now.getTime() + 61_000);
    await decision('U1', 'confirmed', late.id);
    expect(answers.at(-1)).toBe('refused:This confirmation has expired: run the command again.');
    // Another platform's confirmation is not this platform's to decide.
    const elsewhere = confirmations.create(
      { platform: 'slack', userId: 'U1', actor: 'u1@x.org', text: 'unlock z', channelId: 'C1', ttlMs: 60_000 },
      now,
    );
    await decision('U1', 'confirmed', elsewhere.id);
    expect(confirmations.get(elsewhere.id)?.state).toBe('pending');
  });
});
