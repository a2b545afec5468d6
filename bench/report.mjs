#!/usr/bin/env node
// npm run bench:report — the monthly report on a year of data: 10 hosts sampled every 5 minutes
// (disk with 2 mounts, memory and load rows per round, stored by the real SampleStore as the probes
// job stores them: 1.05 M disk rows, 3.15 M samples in all, and their 4.2 M report numbers), 50 000 audit entries, hourly observations of 3 repositories, daily
// certificate checks and a few hundred alert events. The database is generated once and kept
// under var/bench/ (delete it to regenerate).
// Measures, in the same run and alternating: building last month's report (figures, text,
// Markdown written) with the project's code, without the charts and then with them; and the same
// aggregate queries (REPORT_QUERIES, the SQL the report runs) run alone by the sqlite3 CLI,
// process start included. Ends with the ratio line. Needs `npm run build` first.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const DIST = join(ROOT, 'dist/src');
const { openDatabase } = await import(join(DIST, 'store/database.js'));
const { SampleStore } = await import(join(DIST, 'store/sample-store.js'));
const { REPORT_QUERIES } = await import(join(DIST, 'store/report-queries.js'));
const { createReportService } = await import(join(DIST, 'report/report-service.js'));
const { monthRange } = await import(join(DIST, 'report/month-range.js'));

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const HOSTS = 10;
const STEP_MS = 5 * 60_000;
const YEAR_START = Date.parse('2025-12-01T00:00:00Z');
const YEAR_END = Date.parse('2026-12-01T00:00:00Z');
const MONTH = '2026-11';
const TIME_ZONE = 'Europe/Paris';
const GIB = 1024 ** 3;
// Bump when the generated data changes, so an old file is not reused.
const DATA_VERSION = 2;

const file = join(ROOT, 'var/bench', `report-year-v${DATA_VERSION}.db`);
if (!existsSync(file)) generate(file);

// A seeded generator: every run builds the same year.
function seeded(seed) {
  return () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
}

function generate(path) {
  mkdirSync(join(ROOT, 'var/bench'), { recursive: true });
  const started = Date.now();
  const db = openDatabase(`${path}.part`);
  const random = seeded(7);
  const hosts = Array.from({ length: HOSTS }, (_, i) => `host-${i}`);
  // Stored as the probes job stores them: samples and their report numbers (sample_points).
  const store = new SampleStore(db);
  const mount = (mountPoint, percent) => {
    const size = 200 * GIB;
    const used = Math.round((size * percent) / 100);
    return {
      filesystem: `/dev/vd${mountPoint.length}`,
      type: 'ext4',
      mountPoint,
      sizeBytes: size,
      usedBytes: used,
      availableBytes: size - used,
      usedPercent: Math.round(percent),
      inodes: { total: 13_107_200, used: 400_000, free: 12_707_200, usedPercent: 4 },
    };
  };
  const memorySample = (percent) => ({
    totalBytes: 8 * GIB,
    availableBytes: Math.round(8 * GIB * (1 - percent / 100)),
    availableEstimated: false,
    usedPercent: percent,
    swapTotalBytes: GIB,
    swapFreeBytes: GIB,
    swapUsedPercent: 0,
  });
  const loadSample = (perCore) => ({
    load1: perCore * 4,
    load5: perCore * 4,
    load15: perCore * 4,
    cores: 4,
    load1PerCore: perCore,
    load5PerCore: perCore,
    load15PerCore: perCore,
    runnable: 1,
    processes: 180,
  });
  const insertYear = db.transaction((from, to) => {
    for (let t = from; t < to; t += STEP_MS) {
      const takenAt = new Date(t).toISOString();
      const progress = (t - YEAR_START) / (YEAR_END - YEAR_START);
      for (const [i, host] of hosts.entries()) {
        const disk = {
          mounts: [mount('/', 30 + i * 3 + progress * 20), mount('/srv', 40 + random() * 5 + progress * 30)],
          partial: null,
        };
        store.add([
          { host, kind: 'disk', takenAt, outcome: { ok: true, sample: disk } },
          { host, kind: 'memory', takenAt, outcome: { ok: true, sample: memorySample(30 + random() * 40) } },
          { host, kind: 'load', takenAt, outcome: { ok: true, sample: loadSample(random() * 1.2) } },
        ]);
      }
    }
  });
  // A month per transaction (each report's own transaction nests in it): the journal stays small.
  for (let t = YEAR_START; t < YEAR_END; t += 30 * 86_400_000) insertYear(t, Math.min(t + 30 * 86_400_000, YEAR_END));

  db.transaction(() => {
    const certificate = db.prepare('INSERT INTO probe_samples (host, kind, taken_at, ok, data) VALUES (?, ?, ?, 1, ?)');
    for (let t = YEAR_START; t < YEAR_END; t += 86_400_000) {
      for (let c = 0; c < 5; c++) {
        // Renewed every 60 days, valid 90.
        const issued = t - ((t / 86_400_000 + c * 11) % 60) * 86_400_000;
        const data = {
          source: 'server',
          subject: `CN=site-${c}.example.org`,
          issuer: 'CN=R11',
          subjectAltName: `DNS:site-${c}.example.org`,
          serialNumber: String(issued),
          fingerprint256: `FP:${c}:${issued}`,
          notBefore: new Date(issued).toISOString(),
          notAfter: new Date(issued + 90 * 86_400_000).toISOString(),
          daysLeft: 0,
          chain: { valid: true, error: null },
          servername: `site-${c}.example.org`,
        };
        certificate.run(
          `https://site-${c}.example.org`,
          'certificate',
          new Date(t).toISOString(),
          JSON.stringify(data),
        );
      }
    }
    const observation = db.prepare(
      `INSERT INTO backup_observations (repo, type, observed_at, outcome, last_archive_name, last_archive_at, archive_count, size_bytes, duration_ms)
       VALUES (?, ?, ?, 'ok', ?, ?, ?, ?, 800)`,
    );
    for (let t = YEAR_START; t < YEAR_END; t += 3_600_000) {
      for (const [r, repo] of ['b7-borg', 'vps2-restic', 'pi-borg'].entries()) {
        const night = t - (t % 86_400_000) + 2 * 3_600_000;
        const last = night <= t ? night : night - 86_400_000;
        const day = Math.floor((last - YEAR_START) / 86_400_000);
        observation.run(
          repo,
          r === 1 ? 'restic' : 'borg',
          new Date(t).toISOString(),
          `night-${day}`,
          new Date(last).toISOString(),
          day,
          10 * GIB + day * 50_000_000,
        );
      }
    }
    const audit = db.prepare(
      `INSERT INTO audit (started_at, finished_at, duration_ms, actor, platform, command, text, status, detail, owner)
       VALUES (?, ?, 900, ?, 'slack', ?, ?, ?, ?, 'bench:1')`,
    );
    const people = ['alice', 'bob', 'chloe', 'david', 'emma', 'farid'].map((p) => `${p}@epicerieledetour.org`);
    const commands = ['backup status', 'probe', 'certs', 'unlock', 'ansible run', 'backup list', 'alerts', 'digest'];
    const statuses = ['ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'failed', 'denied', 'usage', 'error'];
    for (let i = 0; i < 50_000; i++) {
      const at = new Date(YEAR_START + random() * (YEAR_END - YEAR_START)).toISOString();
      const command = commands[Math.floor(random() * commands.length)];
      const status = statuses[Math.floor(random() * statuses.length)];
      const detail =
        command === 'unlock' && status === 'ok' ? 'unlocked' : status === 'ok' ? null : 'something went wrong';
      audit.run(at, at, people[Math.floor(random() * people.length)], command, `${command} x`, status, detail);
    }
    const event = db.prepare(
      'INSERT INTO alert_events (key, kind, event, at, summary, severity, duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    for (let i = 0; i < 300; i++) {
      const fired = YEAR_START + random() * (YEAR_END - YEAR_START - 86_400_000);
      const lasted = Math.round(random() * 12 * 3_600_000);
      const key = `disk:host-${i % HOSTS}:/srv`;
      event.run(key, 'disk', 'fired', new Date(fired).toISOString(), `${key} at 91%`, 'warn', null);
      event.run(key, 'disk', 'resolved', new Date(fired + lasted).toISOString(), `${key} at 70%`, null, lasted);
    }
  })();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  execFileSync('mv', [`${path}.part`, path]);
  rmSync(`${path}.part-wal`, { force: true });
  rmSync(`${path}.part-shm`, { force: true });
  console.log(`generated ${path} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

const rows = openDatabase(file).prepare('SELECT count(*) AS n FROM probe_samples').get().n;
console.log(`store: ${rows.toLocaleString('en')} probe samples, 50,000 audit entries, one year`);

// The report as the bot builds it, on its own connection each time (files to a scratch folder).
const out = mkdtempSync(join(tmpdir(), 'detour-bench-report-'));
const builtAt = new Date('2026-12-01T08:00:00Z');
async function buildReport(charts, where = 'worker') {
  const db = openDatabase(file);
  const service = createReportService({
    db,
    locale: 'fr',
    timeZone: TIME_ZONE,
    now: () => builtAt,
    reportsDir: out,
    // As the bot draws them: in a worker thread per report (vega loaded each time, then let go);
    // 'process' draws them in this process, vega kept loaded, for comparison.
    renderCharts: async (data, options) =>
      where === 'worker'
        ? (await import(join(DIST, 'report/charts-in-worker.js'))).renderChartsInWorker(data, options)
        : (await import(join(DIST, 'report/charts.js'))).renderReportCharts(data, options),
  });
  const started = performance.now();
  const report = await service.monthly({ month: MONTH, charts });
  const ms = performance.now() - started;
  db.close();
  return { ms, report };
}

// The same queries, alone, through the sqlite3 CLI: parameters set in its parameter table.
const range = monthRange(MONTH, TIME_ZONE);
const params = {
  ':from': range.from,
  ':to': range.to,
  ':days': JSON.stringify(range.days),
  ':lookback': monthRange('2026-10', TIME_ZONE).from,
};
const quote = (text) => `'${text.replaceAll("'", "''")}'`;
const script = [
  '.output /dev/null',
  '.parameter init',
  ...Object.entries(params).map(
    ([k, v]) => `INSERT INTO temp.sqlite_parameters (key, value) VALUES (${quote(k)}, ${quote(v)});`,
  ),
  ...Object.values(REPORT_QUERIES).map((sql) => `${sql.trim()};`),
].join('\n');
function runCli() {
  const started = performance.now();
  const result = spawnSync('sqlite3', ['-readonly', file], { input: script, encoding: 'utf8' });
  const ms = performance.now() - started;
  if (result.status !== 0 || result.stderr) throw new Error(`sqlite3 failed: ${result.stderr}`);
  return ms;
}

const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
const first = await buildReport(true);
console.log(
  `first report with charts: ${first.ms.toFixed(0)} ms; charts: ${first.report.charts.map((c) => c.fileName).join(', ')}`,
);
console.log(`  ${first.report.body.split('\n').join('\n  ')}`);
const project = [];
const withCharts = [];
const inProcess = [];
const cli = [];
for (let r = 0; r < ROUNDS; r++) {
  cli.push(runCli());
  project.push((await buildReport(false)).ms);
  withCharts.push((await buildReport(true)).ms);
  inProcess.push((await buildReport(true, 'process')).ms);
}
rmSync(out, { recursive: true, force: true });
const fmt = (list) =>
  `median ${median(list).toFixed(0)} ms (min ${Math.min(...list).toFixed(0)}, max ${Math.max(...list).toFixed(0)})`;
console.log(`sqlite3 CLI, the report's queries alone (process included): ${fmt(cli)}`);
console.log(`detour report, without charts:                           ${fmt(project)}`);
console.log(`detour report, with charts (rasterised, in a worker):     ${fmt(withCharts)}`);
console.log(`  the same, charts drawn in the process (vega kept loaded): ${fmt(inProcess)}`);
console.log(
  `report built in < 1 s: ${median(project) < 1000 ? 'yes' : 'no'} (with charts: ${median(withCharts) < 1000 ? 'yes' : 'no'})`,
);
console.log(`ratio: ${(median(project) / median(cli)).toFixed(2)} (target <= 2)`);
