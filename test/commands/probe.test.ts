import { writeFile } from 'node:fs/promises';
import type { AddressInfo, Server } from 'node:net';
import { createServer as createTcpServer } from 'node:net';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/logger.js';
import type { CertificateReport, HostProbeReport } from '../../src/core/ports/probes.js';
import { HostRegistry } from '../../src/hosts/host-registry.js';
import { createProbeService } from '../../src/probes/probe-service.js';
import { execaRunner } from '../../src/runners/execa-runner.js';
import { openDatabase } from '../../src/store/database.js';
import { SampleStore } from '../../src/store/sample-store.js';
import { makeTempDir, removeDir } from '../probes/helpers.js';
import { daysFrom, TestCa } from '../probes/test-ca.js';
import { alice, bob, testConfig, testPipeline } from '../support/app.js';
import { makeKeyPair } from '../support/sshd.js';

const clock = new Date(Math.floor(Date.now() / 1000) * 1000);
const TIME_ZONE = 'America/New_York';

let dir = '';
let ca: TestCa;
let notAfter: Date;
const servers: Server[] = [];
const ports: Record<string, number> = {};
const registries: HostRegistry[] = [];

async function listen(server: Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** The pipeline with every command, over a real ProbeService built from this raw config. */
function bot(raw: Record<string, unknown>) {
  const config = testConfig({ timezone: TIME_ZONE, ssh: { knownHostsFile: './known_hosts' }, ...raw }, dir);
  const hosts = new HostRegistry(config, execaRunner);
  registries.push(hosts);
  const store = new SampleStore(openDatabase(':memory:'));
  const probes = createProbeService({
    config,
    hosts,
    store,
    now: () => clock,
    logger: silentLogger,
    extraCa: ca.caPem,
  });
  return { ...testPipeline(config, { probes }), store };
}

beforeAll(async () => {
  dir = await makeTempDir('command');
  ca = new TestCa(dir);
  await ca.init();
  notAfter = daysFrom(clock, 200);
  const long = await ca.issue('localhost', daysFrom(clock, -1), notAfter);
  const soon = await ca.issue('localhost', daysFrom(clock, -1), daysFrom(clock, 5));
  ports.long = await listen(createTlsServer({ key: long.key, cert: long.cert }, (s) => s.end()));
  ports.soon = await listen(createTlsServer({ key: soon.key, cert: soon.cert }, (s) => s.end()));
  await writeFile(join(dir, 'client.pem'), long.cert);
  ports.silent = await listen(createTcpServer(() => undefined));
  const closed = createTcpServer();
  ports.closed = await listen(closed);
  await new Promise((resolve) => closed.close(resolve));
  servers.splice(servers.indexOf(closed), 1);
  await writeFile(join(dir, 'known_hosts'), '');
  await makeKeyPair(dir, 'id_unused');
});

afterAll(async () => {
  await Promise.all(registries.map((r) => r.close()));
  for (const s of servers) s.close();
  await removeDir(dir);
});

const local = { local: { local: true } };
// Accepts TCP and never speaks: the SSH handshake can only wait.
const mute = () => ({
  ssh: { host: '127.0.0.1', port: ports.silent, user: 'detour', privateKeyFile: './id_unused' },
});
const down = () => ({
  ssh: { host: '127.0.0.1', port: ports.closed, user: 'detour', privateKeyFile: './id_unused' },
});

describe('probe', () => {
  it('shows every measure of the local host and marks values past a threshold', async () => {
    const { ask, audit, store } = bot({
      hosts: local,
      thresholds: { disk: { warn: 0, crit: 101 } },
      unlock: { root: { host: 'local', device: '/dev/null', mapper: 'detour-test-root', mount: '/' } },
    });
    const r = await ask('probe', bob);
    expect(r.outcome).toBe('ok');
    const lines = r.text.split('\n');
    expect(lines[0]).toBe('WARN local');
    expect(r.text).toMatch(/^ {2}disk \/: \d+ % \[WARN\] of [\d.]+ [KMGT]iB, inodes \d+ % \[WARN\]$/m);
    expect(r.text).toMatch(/^ {2}memory: \d+ % used, (swap \d+ %|no swap)$/m);
    expect(r.text).toMatch(/^ {2}load per core: \d+\.\d\d \d+\.\d\d \d+\.\d\d \(1, 5, 15 min; \d+ cores\)$/m);
    expect(r.text).toMatch(/^ {2}systemd: (unavailable \(.+\)|no failed unit|\d+ failed: .+)$/m);
    expect(r.text).toContain('  LUKS root: closed, mounted on /');
    expect(r.text).not.toContain('[CRIT]');
    expect((r.data as HostProbeReport[])[0]?.host).toBe('local');
    expect(audit.list({ limit: 1 })[0]).toMatchObject({ command: 'probe', status: 'ok', detail: 'local=WARN' });
    expect(store.latest('local', 'disk')?.outcome.ok).toBe(true);
  });

  it('fails on a crit threshold and on a host that cannot be reached, and says why', async () => {
    const { ask, audit } = bot({ hosts: { ...local, down: down() }, thresholds: { memory: { warn: 0, crit: 0 } } });
    const r = await ask('probe', bob);
    expect(r.outcome).toBe('failed');
    expect(r.text).toMatch(/^CRIT local\n {2}disk \//);
    expect(r.text).toMatch(/^ {2}memory: \d+ % \[CRIT\] used/m);
    expect(r.text).toMatch(
      /\nFAILED down\n {2}error: cannot reach the SSH server at \[127\.0\.0\.1\]:\d+: connection refused \(ECONNREFUSED\)$/,
    );
    expect(audit.list({ limit: 1 })[0]).toMatchObject({ status: 'failed', detail: 'local=CRIT down=FAILED' });
  });

  it('probes one host when named, and names the known hosts for an unknown one', async () => {
    const { ask } = bot({ hosts: { ...local, down: down() } });
    const one = await ask('probe down', bob);
    expect(one.text.split('\n')[0]).toBe('FAILED down');
    expect(one.text).not.toContain('local');
    const unknown = await ask('probe nas', alice);
    expect(unknown).toMatchObject({ outcome: 'usage', text: 'unknown host "nas". Known hosts: local, down.' });
  });

  it('gives each probe that did not answer its own line', async () => {
    const { ask } = bot({
      locale: 'fr',
      hosts: { mute: mute() },
      ssh: { knownHostsFile: './known_hosts', connectTimeout: '3s' },
      probes: { timeout: '1s' },
    });
    const r = await ask('probe', bob);
    expect(r.outcome).toBe('failed');
    expect(r.text).toBe(
      [
        'FAILED mute',
        '  disque : erreur : no answer within 1000 ms',
        '  mémoire : erreur : no answer within 1000 ms',
        '  charge : erreur : no answer within 1000 ms',
        '  systemd : erreur : no answer within 1000 ms',
      ].join('\n'),
    );
  });

  it('answers in French', async () => {
    const { ask } = bot({ locale: 'fr', hosts: local, thresholds: { load: { warn: 1000, crit: 2000 } } });
    const r = await ask('probe', bob);
    expect(r.text).toMatch(/^(OK|WARN) local$/m);
    expect(r.text).toMatch(/^ {2}disque \/ : \d+ % de [\d,]+ [KMGT]io/m);
    expect(r.text).toMatch(/^ {2}mémoire : \d+ % utilisée, (swap \d+ %|pas de swap)$/m);
    expect(r.text).toMatch(/^ {2}charge par cœur : \d+,\d\d \d+,\d\d \d+,\d\d \(1, 5, 15 min ; \d+ cœurs\)$/m);
    expect(r.text).toMatch(/^ {2}systemd : (indisponible \(.+\)|aucune unité en échec|\d+ en échec : .+)$/m);
    const down = await bot({ locale: 'fr', hosts: { nas: { ssh: { ...mute().ssh, port: ports.closed } } } }).ask(
      'probe',
      bob,
    );
    expect(down.text).toMatch(/^FAILED nas\n {2}erreur : cannot reach the SSH server at .+: connection refused/);
    const unknown = await ask('probe nas', bob);
    expect(unknown.text).toBe('hôte inconnu « nas ». Hôtes connus : local.');
  });
});

describe('certs', () => {
  const certificates = () => [
    { url: `https://localhost:${ports.long}` },
    { file: './client.pem' },
    { url: `https://localhost:${ports.soon}` },
    { file: './missing.pem' },
  ];

  it('gives one line per certificate: marker, days left, end date in the configured zone, issuer, chain', async () => {
    const { ask, store } = bot({ certificates: certificates() });
    const r = await ask('certs', bob);
    expect(r.outcome).toBe('failed');
    const until = DateTime.fromJSDate(notAfter).setZone(TIME_ZONE).toFormat('yyyy-MM-dd HH:mm');
    const lines = r.text.split('\n');
    expect(lines[0]).toMatch(
      new RegExp(
        `^OK +https://localhost:${ports.long} +200 days left +until ${until} +issuer Detour Test CA +chain valid$`,
      ),
    );
    expect(lines[1]).toMatch(
      new RegExp(`^OK +${join(dir, 'client.pem')} +200 days left +until ${until} +issuer Detour Test CA +file$`),
    );
    expect(lines[2]).toMatch(/^WARN +https:\/\/localhost:\d+ +5 days left /);
    expect(lines[3]).toMatch(/^ERROR +\/.*missing\.pem +cannot read .*missing\.pem \(ENOENT\)$/);
    const reports = r.data as CertificateReport[];
    expect(reports.map((c) => c.rank)).toEqual(['ok', 'ok', 'warn', 'error']);
    expect(store.latest(`https://localhost:${ports.long}`, 'certificate')?.takenAt).toBe(clock.toISOString());
  });

  it('is OK when every certificate is, and answers in French', async () => {
    const { ask } = bot({ locale: 'fr', certificates: certificates().slice(0, 2) });
    const r = await ask('certs', bob);
    expect(r.outcome).toBe('ok');
    expect(r.text.split('\n')[0]).toMatch(
      /^OK +https:\/\/localhost:\d+ +200 jours restants +jusqu'au .+ +émetteur Detour Test CA +chaîne valide$/,
    );
    expect(r.text.split('\n')[1]).toMatch(/ fichier$/);
  });

  it('says when no certificate is watched', async () => {
    const { ask } = bot({});
    expect(await ask('certs', bob)).toMatchObject({
      outcome: 'failed',
      text: 'no certificate is watched (see "certificates:" in the configuration).',
    });
  });
});
