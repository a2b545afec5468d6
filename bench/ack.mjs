#!/usr/bin/env node
// npm run bench:ack — 200 signed slash commands, 50 at a time, against `detour serve` (Slack in
// HTTP mode and Mattermost enabled, both APIs pointed at the local emulators) and against a bare
// Bolt app whose only listener acks, in the same run: p50 and p99 time to the HTTP 200. Ends with
// the ratio line for p99. Idle memory has its own bench, with several pairs: bench:idle.
import { createHmac } from 'node:crypto';
import { createHarness, SIGNING_SECRET } from './serve-harness.mjs';

const REQUESTS = 200;
const CONCURRENCY = 50;
const harness = createHarness('ack');

function signed(body) {
  const ts = String(Math.floor(Date.now() / 1000));
  const signature = `v0=${createHmac('sha256', SIGNING_SECRET).update(`v0:${ts}:${body}`).digest('hex')}`;
  return {
    'content-type': 'application/x-www-form-urlencoded',
    'x-slack-request-timestamp': ts,
    'x-slack-signature': signature,
  };
}

/** 200 slash commands, 50 in flight; the time to each HTTP 200, sorted. */
async function burst(url, slackBase, fixtures) {
  const times = [];
  let next = 0;
  const one = async () => {
    while (next < REQUESTS) {
      const i = next++;
      const body = new URLSearchParams({
        token: 'x',
        team_id: 'T0DETOUR01',
        team_domain: 'detour',
        channel_id: fixtures.INFRA,
        channel_name: 'infra',
        user_id: fixtures.ALICE,
        user_name: 'alice',
        command: '/detour',
        text: 'help',
        api_app_id: 'A0DETOUR',
        is_enterprise_install: 'false',
        response_url: `${slackBase}commands/bench${i}`,
        trigger_id: `t${i}`,
      }).toString();
      const started = performance.now();
      const res = await fetch(url, { method: 'POST', headers: signed(body), body });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`${url}: HTTP ${res.status}`);
      times.push(performance.now() - started);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, one));
  return times.sort((a, b) => a - b);
}

/** Waits until every command detour acked has been answered (from its /metrics). */
async function settled(base) {
  const answered = async () => {
    const text = await (await fetch(`${base}/metrics`)).text();
    return [...text.matchAll(/^detour_commands_total\{[^}]*\} (\d+)/gm)].reduce((n, m) => n + Number(m[1]), 0);
  };
  let last = -1;
  for (;;) {
    const now = await answered();
    if (now === last) return;
    last = now;
    await new Promise((r) => setTimeout(r, 300));
  }
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

try {
  const { env, slack, fixtures } = await harness.emulators();
  const detour = await harness.detour(
    env,
    process.env.BENCH_PROFILE ? [`--cpu-prof-dir=${process.env.BENCH_PROFILE}`, '--cpu-prof'] : [],
  );
  const bare = await harness.bare(env);
  const detourUrl = `${detour.value}/slack/events`;
  const bareUrl = `${bare.value}/slack/events`;
  // Warm up both (JIT, first users.info), then alternate the measured bursts.
  await burst(detourUrl, slack.responseSink, fixtures);
  await settled(detour.value);
  await burst(bareUrl, slack.responseSink, fixtures);
  const runs = { detour: [], bare: [] };
  for (let round = 0; round < 3; round++) {
    runs.bare.push(...(await burst(bareUrl, slack.responseSink, fixtures)));
    runs.detour.push(...(await burst(detourUrl, slack.responseSink, fixtures)));
    // detour answers each command after its ack: let that work finish before the next burst,
    // so it neither slows the bare app's burst nor hides in it.
    await settled(detour.value);
  }
  const d = runs.detour.sort((a, b) => a - b);
  const b = runs.bare.sort((a, b2) => a - b2);
  const f = (ms) => `${ms.toFixed(0)} ms`;
  console.log(`${REQUESTS} signed slash commands, ${CONCURRENCY} concurrent, 3 rounds each (after a warm-up round)`);
  console.log(`bare Bolt app:  p50 ${f(pct(b, 50))}  p99 ${f(pct(b, 99))}`);
  console.log(
    `detour serve:   p50 ${f(pct(d, 50))}  p99 ${f(pct(d, 99))}   (p50 ratio ${(pct(d, 50) / pct(b, 50)).toFixed(2)}, target <= 1.2)`,
  );
  console.log(`ratio: ${(pct(d, 99) / pct(b, 99)).toFixed(2)} (target <= 1.2)`);
} finally {
  await harness.close();
}
