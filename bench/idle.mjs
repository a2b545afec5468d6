#!/usr/bin/env node
// npm run bench:idle — idle resident memory of `detour serve` (Slack in HTTP mode and Mattermost
// enabled, both APIs pointed at the local emulators) against a bare Bolt app whose only listener
// acks, in the same run: PAIRS pairs, one process at a time, each read IDLE_MS after it is ready
// (VmRSS from /proc, then V8's heap used). Prints each pair and the medians; ends with the ratio
// line of the medians. Needs `npm run build` first.
//
// Reading it: a bare Bolt app's RSS jumps by ~10 MB from one start to the next: V8 optimises
// undici's HTTP parser (WebAssembly) in a background thread, whose malloc arena keeps ~10 MB of
// the compiler's memory, or not. `detour serve` keeps WebAssembly on the baseline compiler (see
// src/cli/startup-heap.ts) and no longer jumps, so single pairs swing with the reference's luck
// (~0.95 to ~1.1); the medians of 7 pairs are what to compare.
//
// The bench's config has nothing for the scheduler (no hosts, repositories, checks, certificates
// nor digest channel), so serve schedules no job. A third process, the floor, is the same bot
// with one job scheduled (a push check: the hourly backup check, in Europe/Paris): job times in a
// time zone need an Intl formatter, and the first one reads ICU's data, ~5.5 MB of the node
// binary's pages plus ~1.5 MB, which any bot that watches something pays. Its line is for
// reading, not the target.
import { appendFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHarness, median, ROOT, rssFileMb, rssMb, stop } from './serve-harness.mjs';

const PAIRS = Number(process.env.BENCH_PAIRS ?? 7);
const IDLE_MS = 3_000;
const harness = createHarness('idle');
const heapFile = join(harness.dir, 'heap.json');
const preload = ['--import', join(ROOT, 'bench/heap-report.mjs')];

/** Starts one process, lets it settle, reads its RSS and heap used (MB), stops it. */
async function idle(startIt, env) {
  const { child } = await startIt({ ...env, BENCH_HEAP_FILE: heapFile }, preload);
  await new Promise((r) => setTimeout(r, IDLE_MS));
  const rss = rssMb(child.pid);
  const file = rssFileMb(child.pid);
  rmSync(heapFile, { force: true });
  child.kill('SIGUSR2');
  for (let i = 0; i < 50 && !existsSync(heapFile); i++) await new Promise((r) => setTimeout(r, 20));
  const heap = JSON.parse(readFileSync(heapFile, 'utf8')).heapUsed / 2 ** 20;
  await stop(child);
  return { rss, file, anon: rss - file, heap };
}

const withJob = (env, nodeArgs) => harness.detour(env, nodeArgs, 'detour-job.yaml');

try {
  const { env } = await harness.emulators();
  const base = readFileSync(join(harness.dir, 'detour.yaml'), 'utf8');
  writeFileSync(join(harness.dir, 'detour-job.yaml'), base);
  appendFileSync(join(harness.dir, 'detour-job.yaml'), 'checks: { nightly: { token: "bench-idle-check-token" } }\n');
  const starts = { detour: harness.detour, job: withJob, bare: harness.bare };
  const rows = { detour: [], job: [], bare: [] };
  const mb = (n) => `${n.toFixed(1).padStart(5)} MB`;
  console.log(`idle memory ${IDLE_MS / 1000} s after ready, ${PAIRS} pairs, one process at a time`);
  for (let pair = 1; pair <= PAIRS; pair++) {
    // Alternate which one goes first, so neither always follows the other's page-cache churn.
    const order = pair % 2 ? ['detour', 'bare', 'job'] : ['bare', 'detour', 'job'];
    for (const name of order) rows[name].push(await idle(starts[name], env));
    const [d, b, j] = [rows.detour.at(-1), rows.bare.at(-1), rows.job.at(-1)];
    console.log(
      `pair ${pair}: detour serve RSS ${mb(d.rss)} heap ${mb(d.heap)} | bare Bolt RSS ${mb(b.rss)} heap ${mb(b.heap)} | RSS ratio ${(d.rss / b.rss).toFixed(2)} (with a job: RSS ${mb(j.rss)}, ratio ${(j.rss / b.rss).toFixed(2)})`,
    );
  }
  const med = (name, key) => median(rows[name].map((row) => row[key]));
  for (const [name, label] of [
    ['detour', 'detour serve'],
    ['job', 'with a job  '],
    ['bare', 'bare Bolt   '],
  ]) {
    console.log(
      `median: ${label} RSS ${mb(med(name, 'rss'))} (files ${mb(med(name, 'file'))}) heap ${mb(med(name, 'heap'))}`,
    );
  }
  console.log(
    `anonymous memory only (RSS without files): ratio ${(med('detour', 'anon') / med('bare', 'anon')).toFixed(2)}`,
  );
  // The floor: what one job in the configured zone adds (ICU's data: file-backed pages of the
  // node binary, shared with every node process, that a bare Bolt app never touches).
  console.log(
    `floor, one job scheduled in Europe/Paris: ratio ${(med('job', 'rss') / med('bare', 'rss')).toFixed(2)} (files +${(med('job', 'file') - med('detour', 'file')).toFixed(1)} MB, anonymous +${(med('job', 'anon') - med('detour', 'anon')).toFixed(1)} MB over no job)`,
  );
  console.log(`ratio: ${(med('detour', 'rss') / med('bare', 'rss')).toFixed(2)} (target <= 1.2)`);
} finally {
  await harness.close();
}
