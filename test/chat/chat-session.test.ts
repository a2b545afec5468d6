import { describe, expect, it } from 'vitest';
import { type ChatSurface, runChatRequest } from '../../src/chat/chat-session.js';
import type { ChatMessage } from '../../src/chat/message.js';
import type { PipelineResult } from '../../src/core/pipeline.js';
import { Secret } from '../../src/core/secret.js';
import { Metrics } from '../../src/http/metrics.js';
import { ConfirmationStore } from '../../src/store/confirmation-store.js';
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
