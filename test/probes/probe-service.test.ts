import { readFile, writeFile } from 'node:fs/promises';
import type { AddressInfo, Server } from 'node:net';
import { createServer as createTcpServer } from 'node:net';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema.js';
import { DetourError } from '../../src/core/errors.js';
import { silentLogger } from '../../src/core/logger.js';
import type { HostProbeReport, ProbeOutcome, ProbeService } from '../../src/core/ports/probes.js';
import { HostRegistry } from '../../src/hosts/host-registry.js';
import { createProbeService, mapWithLimit } from '../../src/probes/probe-service.js';
import { execaRunner } from '../../src/runners/execa-runner.js';
import { type Db, openDatabase } from '../../src/store/database.js';
import { SampleStore } from '../../src/store/sample-store.js';
import { testConfig } from '../support/app.js';
import { startSshd, type TestSshd } from '../support/sshd.js';
import { makeTempDir, removeDir } from './helpers.js';
import { daysFrom, TestCa } from './test-ca.js';

// Certificates are issued relative to this clock, to the second.
const clock = new Date(Math.floor(Date.now() / 1000) * 1000);
const now = (): Date => clock;

let dir = '';
let sshd: TestSshd;
let ca: TestCa;
let config: Config;
let db: Db;
let hosts: HostRegistry;
let service: ProbeService;
const servers: Server[] = [];
const ports: Record<string, number> = {};
const registries: HostRegistry[] = [];

async function listen(server: Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

function sample<T>(outcome: ProbeOutcome<T> | undefined): T {
  if (!outcome?.ok) throw new Error(`expected a sample, got ${outcome ? outcome.error : 'nothing'}`);
  return outcome.sample;
}

function errors(r: HostProbeReport): string[] {
  return [r.disk, r.memory, r.load, r.systemd].map((o) => (o.ok ? 'ok' : o.error));
}

function serviceFor(raw: Record<string, unknown>, store = new SampleStore(db)): ProbeService {
  const cfg = testConfig(raw, dir);
  const registry = new HostRegistry(cfg, execaRunner);
  registries.push(registry);
  return createProbeService({ config: cfg, hosts: registry, store, now, logger: silentLogger, extraCa: ca.caPem });
}

beforeAll(async () => {
  dir = await makeTempDir('service');
  ca = new TestCa(dir);
  await ca.init();
  sshd = await startSshd();
  const yesterday = daysFrom(clock, -1);
  const long = await ca.issue('localhost', yesterday, daysFrom(clock, 200));
  const soon = await ca.issue('localhost', yesterday, daysFrom(clock, 10));
  const expired = await ca.issue('localhost', new Date('2020-01-01T00:00:00Z'), new Date('2020-02-01T00:00:00Z'));
  const client = await ca.issue('detour-client', yesterday, daysFrom(clock, 30));
  for (const [name, cert] of Object.entries({ long, soon, expired })) {
    ports[name] = await listen(createTlsServer({ key: cert.key, cert: cert.cert }, (s) => s.end()));
  }
  // Accepts TCP and never speaks: an SSH handshake there can only wait.
  ports.silent = await listen(createTcpServer(() => undefined));
  const closed = createTcpServer();
  ports.closed = await listen(closed);
  await new Promise((resolve) => closed.close(resolve));
  servers.splice(servers.indexOf(closed), 1);
  const ssh = (port: number) => ({
    ssh: { host: '127.0.0.1', port, user: sshd.user, privateKeyFile: sshd.privateKeyFile },
  });
  // The key file's content, to check it never leaks into an error.
  await writeFile(join(dir, 'client.pem'), `${client.key}${client.cert}`);
  config = testConfig(
    {
      hosts: { local: { local: true }, remote: ssh(sshd.port), down: ssh(ports.closed as number) },
      ssh: { knownHostsFile: sshd.knownHostsFile },
      unlock: {
        root: { host: 'local', device: '/dev/null', mapper: 'detour-test-root', mount: '/' },
        vault: { host: 'local', device: '/dev/null', mapper: 'detour-test-vault', mount: join(dir, 'vault') },
      },
      certificates: [
        { url: `https://localhost:${ports.long}` },
        { url: `https://127.0.0.1:${ports.soon}` },
        { url: `https://localhost:${ports.expired}` },
        { file: './client.pem' },
        { file: './missing.pem' },
      ],
    },
    dir,
  );
  db = openDatabase(join(dir, 'detour.db'));
  hosts = new HostRegistry(config, execaRunner);
  registries.push(hosts);
  service = createProbeService({
    config,
    hosts,
    store: new SampleStore(db),
    now,
    logger: silentLogger,
    extraCa: ca.caPem,
  });
});

afterAll(async () => {
  await Promise.all(registries.map((r) => r.close()));
  for (const s of servers) s.close();
  db?.close();
  await sshd?.stop();
  await removeDir(dir);
});

describe('probeHosts on the local machine', () => {
  it('measures disk, memory, load, systemd and LUKS state, and stores every sample', async () => {
    const [report] = await service.probeHosts(['local'], new AbortController().signal);
    if (!report) throw new Error('no report');
    expect(report.host).toBe('local');
    expect(report.takenAt).toBe(clock.toISOString());
    const disk = sample(report.disk);
    expect(disk.mounts.length).toBeGreaterThan(0);
    expect(disk.mounts.every((m) => m.sizeBytes > 0 && m.mountPoint.startsWith('/'))).toBe(true);
    const memory = sample(report.memory);
    expect(memory.totalBytes).toBeGreaterThan(0);
    expect(sample(report.load).cores).toBeGreaterThanOrEqual(1);
    expect(['ok', 'unavailable']).toContain(sample(report.systemd).status);
    const luks = sample(report.luks);
    expect(luks.targets.map((t) => [t.name, t.open, t.mounted])).toEqual([
      ['root', false, true],
      ['vault', false, false],
    ]);

    // Read back through another connection to the file on disk.
    const other = openDatabase(join(dir, 'detour.db'));
    try {
      const stored = new SampleStore(other).latestByKind('local');
      expect(stored.map((s) => s.kind)).toEqual(['disk', 'memory', 'load', 'systemd', 'luks']);
      expect(stored.every((s) => s.takenAt === clock.toISOString())).toBe(true);
      expect(stored[1]?.outcome).toEqual(report.memory);
      expect(new SampleStore(other).latest('local', 'luks')?.outcome).toEqual(report.luks);
      const later = new Date(clock.getTime() + 1).toISOString();
      const history = new SampleStore(other).between('local', 'load', clock.toISOString(), later);
      expect(history.map((h) => h.outcome)).toEqual([report.load]);
      expect(new SampleStore(other).between('local', 'load', later, later)).toEqual([]);
    } finally {
      other.close();
    }
  });

  it('answers "canceled" for every probe of a cancelled request', async () => {
    const controller = new AbortController();
    controller.abort();
    const [report] = await service.probeHosts(['local'], controller.signal);
    expect(errors(report as HostProbeReport)).toEqual([
      'disk: canceled',
      'memory: canceled',
      'load: canceled',
      'systemd: canceled',
    ]);
    expect(report?.luks).toEqual({ ok: false, error: 'luks: canceled' });
  });

  it('refuses an unknown host name before probing anything', async () => {
    const before = db.prepare('SELECT count(*) AS n FROM probe_samples').get() as { n: number };
    const error = await service.probeHosts(['local', 'nas'], new AbortController().signal).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DetourError);
    expect((error as DetourError).message).toBe('unknown host "nas". Known hosts: local, remote, down.');
    expect(db.prepare('SELECT count(*) AS n FROM probe_samples').get()).toEqual(before);
  });
});

describe('probeHosts over SSH (real sshd on loopback)', () => {
  it('measures the same machine through one reused connection', async () => {
    const [remote, local] = await service.probeHosts(['remote', 'local'], new AbortController().signal);
    expect(errors(remote as HostProbeReport)).toEqual(['ok', 'ok', 'ok', 'ok']);
    // sshd runs on this machine: both ways must see the same memory and CPUs.
    expect(sample(remote?.memory).totalBytes).toBe(sample(local?.memory).totalBytes);
    expect(sample(remote?.load).cores).toBe(sample(local?.load).cores);
    expect(sample(remote?.disk).mounts.map((m) => m.mountPoint)).toContain('/');
    expect(remote?.luks).toBeUndefined();
    expect(await hosts.connectionsOpened()).toBe(1);
    await service.probeHosts(['remote'], new AbortController().signal);
    expect(await hosts.connectionsOpened()).toBe(1);
  });

  it('reports a refused connection in every probe of that host, without throwing', async () => {
    const [down, local] = await service.probeHosts(['down', 'local'], new AbortController().signal);
    const failures = errors(down as HostProbeReport);
    for (const e of failures)
      expect(e).toMatch(/cannot reach the SSH server at \[127\.0\.0\.1\]:\d+: connection refused/);
    expect(errors(local as HostProbeReport)).toEqual(['ok', 'ok', 'ok', 'ok']);
    const stored = new SampleStore(db).latest('down', 'memory');
    expect(stored?.outcome).toEqual({ ok: false, error: failures[1] });
    const key = await readFile(sshd.privateKeyFile, 'utf8');
    const body = key.split('\n')[1] ?? 'unused';
    expect(JSON.stringify(down)).not.toContain(body);
  });

  it('reports an unknown host key as an error', async () => {
    await writeFile(join(dir, 'empty_known_hosts'), '');
    const other = serviceFor({
      hosts: {
        remote: { ssh: { host: '127.0.0.1', port: sshd.port, user: sshd.user, privateKeyFile: sshd.privateKeyFile } },
      },
      ssh: { knownHostsFile: './empty_known_hosts' },
    });
    const [report] = await other.probeHosts(['remote'], new AbortController().signal);
    for (const e of errors(report as HostProbeReport))
      expect(e).toMatch(/^host key for \[127\.0\.0\.1\]:\d+ is not in /);
  });

  it('answers within the probe timeout when the SSH server never speaks', async () => {
    const other = serviceFor({
      hosts: {
        mute: { ssh: { host: '127.0.0.1', port: ports.silent, user: sshd.user, privateKeyFile: sshd.privateKeyFile } },
      },
      ssh: { knownHostsFile: sshd.knownHostsFile, connectTimeout: '120s' },
      probes: { timeout: '1s' },
    });
    const [report] = await other.probeHosts(['mute'], new AbortController().signal);
    expect(errors(report as HostProbeReport)).toEqual([
      'disk: no answer within 1000 ms',
      'memory: no answer within 1000 ms',
      'load: no answer within 1000 ms',
      'systemd: no answer within 1000 ms',
    ]);
  });
});

describe('checkCertificates', () => {
  it('checks servers and files concurrently, ranks them and stores them', async () => {
    const reports = await service.checkCertificates(new AbortController().signal);
    expect(reports.map((r) => [r.target.replace(/:\d+$/, '').replace(dir, '.'), r.rank])).toEqual([
      ['https://localhost', 'ok'],
      ['https://127.0.0.1', 'warn'],
      ['https://localhost', 'expired'],
      ['./client.pem', 'ok'],
      ['./missing.pem', 'error'],
    ]);
    const [long, soon, , file, missing] = reports;
    expect(sample(long?.result)).toMatchObject({ daysLeft: 200, chain: { valid: true, error: null } });
    expect(sample(long?.result).issuer).toBe('O=Detour, CN=Detour Test CA');
    expect(sample(soon?.result).daysLeft).toBe(10);
    expect(sample(file?.result)).toMatchObject({ source: 'file', subject: 'CN=detour-client', chain: null });
    expect(missing?.result).toEqual({
      ok: false,
      error: `certificates: cannot read ${join(dir, 'missing.pem')} (ENOENT)`,
    });
    const stored = new SampleStore(db).latest(long?.target ?? '', 'certificate');
    expect(stored?.outcome).toEqual(long?.result);
  });
});

describe('mapWithLimit', () => {
  it('keeps input order and never runs more than the limit at once', async () => {
    let running = 0;
    let most = 0;
    const out = await mapWithLimit([5, 1, 4, 2, 3], 2, async (n) => {
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, n));
      running--;
      return n * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30]);
    expect(most).toBe(2);
  });
});
