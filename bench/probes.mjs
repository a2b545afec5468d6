#!/usr/bin/env node
// npm run bench:probes — probes 20 SSH hosts (one sshd each, on loopback ports, throw-away keys,
// one known_hosts) through one HostRegistry and ProbeService: the first sample (20 handshakes) and
// the steady state (connections reused), each against one host probed alone in the same run.
// Prints the figures and ends with the steady-state ratio line. Needs `npm run build` first.
//
// Reading the ratio: the 20 "remote" hosts are sshd processes on this machine, so their sessions
// and the commands they run share its cores with the client. The bench measures that CPU and
// prints the lowest 20-host time, and so the lowest ratio, that any client could reach here.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, loadavg, tmpdir, userInfo } from 'node:os';
import { join, resolve } from 'node:path';

const DIST = resolve(import.meta.dirname, '../dist/src');
const { validateConfig } = await import(join(DIST, 'config/load.js'));
const { silentLogger } = await import(join(DIST, 'core/logger.js'));
const { HostRegistry } = await import(join(DIST, 'hosts/host-registry.js'));
const { createProbeService } = await import(join(DIST, 'probes/probe-service.js'));
const { execaRunner } = await import(join(DIST, 'runners/execa-runner.js'));
const { openDatabase } = await import(join(DIST, 'store/database.js'));
const { SampleStore } = await import(join(DIST, 'store/sample-store.js'));

const HOSTS = 20;
const ROUNDS = 7;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);

const dir = mkdtempSync(join(tmpdir(), 'detour-bench-probes-'));
const daemons = [];
/** Remote commands started on every sshd so far (a file read over SFTP starts none). */
let commandsStarted = 0;

function keygen(name) {
  const file = join(dir, name);
  spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', file], { stdio: 'ignore' });
  return { file, publicKey: readFileSync(`${file}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ') };
}

function freePort() {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => ok(port));
    });
  });
}

/** One sshd in the foreground, resolved once it listens. */
async function startSshd(i) {
  const hostKey = keygen(`host${i}`);
  const port = await freePort();
  const config = join(dir, `sshd${i}.conf`);
  writeFileSync(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey.file}`,
      `PidFile ${join(dir, `sshd${i}.pid`)}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'StrictModes no',
      'UsePAM no',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PrintMotd no',
      `AllowUsers ${userInfo().username}`,
      // Debian's bash sources ~/.bashrc for sshd's commands; root's here runs `pyenv init` (~1 s a
      // command). A nested SHLVL skips it, as a service account's plain shell would: we time detour,
      // not this machine's dotfiles.
      'SetEnv SHLVL=1',
      // As Debian's sshd_config: file reads go over one SFTP session per connection.
      'Subsystem sftp /usr/lib/openssh/sftp-server',
      // Logs one "Starting session: command …" line per command: counted below.
      'LogLevel VERBOSE',
      '',
    ].join('\n'),
  );
  const child = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  daemons.push(child);
  let log = '';
  await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`sshd ${i} did not start:\n${log}`)), 15_000);
    child.stderr.on('data', (chunk) => {
      log += chunk;
      commandsStarted += String(chunk).split('Starting session: command').length - 1;
      if (log.includes('Server listening on')) {
        clearTimeout(timer);
        ok();
      }
    });
    child.once('exit', () => fail(new Error(`sshd ${i} exited:\n${log}`)));
  });
  return { port, knownHost: `[127.0.0.1]:${port} ${hostKey.publicKey}` };
}

function service(config, hostNames, db) {
  const raw = { ...config, hosts: Object.fromEntries(hostNames.map((n) => [n, config.hosts[n]])) };
  const cfg = validateConfig(raw, {}, dir, 'bench config');
  const hosts = new HostRegistry(cfg, execaRunner);
  const probes = createProbeService({
    config: cfg,
    hosts,
    store: new SampleStore(db),
    now: () => new Date(),
    logger: silentLogger,
  });
  return { hosts, probes, names: hostNames };
}

async function sample(s) {
  const start = process.hrtime.bigint();
  const reports = await s.probes.probeHosts(s.names, new AbortController().signal);
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const failed = reports.flatMap((r) =>
    ['disk', 'memory', 'load', 'systemd'].filter((k) => !r[k].ok).map((k) => `${r.host} ${r[k].error}`),
  );
  if (failed.length > 0) throw new Error(`probes failed:\n${failed.join('\n')}`);
  return ms;
}

async function expectConnections(s, n, when) {
  const opened = await s.hosts.connectionsOpened();
  if (opened !== n) throw new Error(`${when}: ${opened} SSH connections opened, expected ${n}`);
}

const TICKS_PER_S = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** CPU time (ms) of a process and everything below it, exited children included. */
function treeCpuMs(pid) {
  let stat;
  let children = [];
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean);
  } catch {
    return 0;
  }
  // Fields after "(comm) ": utime, stime, cutime, cstime are the 12th to 15th.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const own = [11, 12, 13, 14].reduce((sum, i) => sum + Number(f[i]), 0);
  return (own * 1000) / TICKS_PER_S + children.reduce((sum, c) => sum + treeCpuMs(c), 0);
}

const sshdCpuMs = () => daemons.reduce((sum, child) => sum + treeCpuMs(child.pid), 0);
const ownCpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (ms) => `${Math.round(ms)} ms`;

const registries = [];
try {
  mkdirSync(join(dir, 'db'));
  mkdirSync('/run/sshd', { recursive: true });
  const userKey = keygen('user');
  writeFileSync(join(dir, 'authorized_keys'), `${readFileSync(`${userKey.file}.pub`, 'utf8')}`);
  const started = await Promise.all(Array.from({ length: HOSTS }, (_, i) => startSshd(i + 1)));
  writeFileSync(join(dir, 'known_hosts'), `${started.map((s) => s.knownHost).join('\n')}\n`);
  const names = started.map((_, i) => `h${String(i + 1).padStart(2, '0')}`);
  const config = {
    locale: 'en',
    database: './db/bench.db',
    hosts: Object.fromEntries(
      started.map((s, i) => [
        names[i],
        { ssh: { host: '127.0.0.1', port: s.port, user: userInfo().username, privateKeyFile: userKey.file } },
      ]),
    ),
    // Room for every connection at once: the default (8) would close idle ones to open others.
    ssh: { knownHostsFile: './known_hosts', maxConnections: HOSTS },
    probes: { concurrency: CONCURRENCY },
  };
  const db = openDatabase(join(dir, 'db', 'bench.db'));
  const all = service(config, names, db);
  // Its own pool, so its first sample pays for its own handshake too.
  const solo = service(config, [names[0]], db);
  registries.push(all.hosts, solo.hosts);

  const firstSolo = await sample(solo);
  const firstAll = await sample(all);
  await expectConnections(all, HOSTS, 'first sample');
  const steadySolo = [];
  const steadyAll = [];
  const cpu = { sshd: 0, detour: 0 };
  let commands = 0;
  for (let i = 0; i < ROUNDS; i++) {
    steadySolo.push(await sample(solo));
    const before = { sshd: sshdCpuMs(), detour: ownCpuMs(), commands: commandsStarted };
    steadyAll.push(await sample(all));
    cpu.sshd += (sshdCpuMs() - before.sshd) / ROUNDS;
    cpu.detour += (ownCpuMs() - before.detour) / ROUNDS;
    commands += commandsStarted - before.commands;
  }
  await expectConnections(all, HOSTS, 'steady state');
  await expectConnections(solo, 1, 'steady state (one host)');
  const stored = db.prepare('SELECT count(*) AS n FROM probe_samples').get().n;
  db.close();

  const ratio = median(steadyAll) / median(steadySolo);
  console.log(`hosts: ${HOSTS} sshd on loopback, probes.concurrency ${CONCURRENCY}, median of ${ROUNDS} steady rounds`);
  console.log(`first sample, 1 host alone:    ${fmt(firstSolo)}  (1 handshake)`);
  console.log(
    `first sample, ${HOSTS} hosts:       ${fmt(firstAll)}  (${HOSTS} handshakes; ratio ${(firstAll / firstSolo).toFixed(2)})`,
  );
  console.log(`steady sample, 1 host alone:   ${fmt(median(steadySolo))}  (${steadySolo.map(fmt).join(', ')})`);
  console.log(`steady sample, ${HOSTS} hosts:      ${fmt(median(steadyAll))}  (${steadyAll.map(fmt).join(', ')})`);
  const cores = availableParallelism();
  // The 20 "remote" hosts run on this machine: their sshd sessions and commands share its cores.
  const floor = (cpu.sshd + cpu.detour) / cores;
  console.log(
    `CPU per steady ${HOSTS}-host sample: sshd and the commands it runs ${fmt(cpu.sshd)}, detour ${fmt(cpu.detour)}; ` +
      `on ${cores} cores no client can go below ${fmt(floor)} (load average ${loadavg()[0].toFixed(1)})`,
  );
  console.log(`lowest steady ratio this CPU allows: ${(floor / median(steadySolo)).toFixed(2)}`);
  console.log(`steady ${HOSTS}-host sample against that floor: ${(median(steadyAll) / floor).toFixed(2)}x`);
  console.log(
    `commands started per host and steady sample: ${(commands / ROUNDS / HOSTS).toFixed(1)} (files are read over SFTP)`,
  );
  console.log(
    `SSH connections opened: ${await all.hosts.connectionsOpened()} for ${HOSTS} hosts over ${ROUNDS + 1} samples`,
  );
  console.log(`samples stored: ${stored}`);
  console.log(`ratio: ${ratio.toFixed(2)} (target <= 3)`);
} finally {
  await Promise.all(registries.map((r) => r.close()));
  for (const child of daemons) child.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
