import { readFile, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SshPool } from '../../src/runners/ssh.js';
import { createNetns, probeNetns, type TestNetns } from '../support/netns.js';
import { startSshd, type TestSshd } from '../support/sshd.js';

// A second "machine": sshd inside a network namespace, reached over a veth pair.
// Needs root and a kernel/container that allows namespaces; otherwise skipped with the reason.
const netnsProblem = await probeNetns();
if (netnsProblem) console.log(`skipping the network-namespace SSH test: ${netnsProblem}`);

describe.skipIf(netnsProblem !== undefined)('SshPool with a second host in a network namespace', () => {
  let netns: TestNetns | undefined;
  let remote: TestSshd | undefined;
  let local: TestSshd | undefined;
  let pool: SshPool | undefined;

  beforeAll(async () => {
    netns = await createNetns(`detour-ssh-${process.pid}`, 47);
    // Port 22 inside the namespace: known_hosts then uses the bare address form.
    remote = await startSshd({ listenAddress: netns.nsAddress, port: 22, wrap: netns.wrap });
    local = await startSshd();
  });

  afterAll(async () => {
    await pool?.close();
    await remote?.stop();
    await local?.stop();
    await netns?.remove();
  });

  it('runs commands on both hosts over one connection each', async () => {
    if (!netns || !remote || !local) throw new Error('setup failed');
    expect(remote.port).toBe(22);
    // One known_hosts for both: the bare name for port 22, the bracketed one for the loopback port.
    const knownHostsFile = `${local.dir}/known_hosts_both`;
    await writeFile(
      knownHostsFile,
      (await readFile(remote.knownHostsFile, 'utf8')) + (await readFile(local.knownHostsFile, 'utf8')),
    );
    expect(await readFile(knownHostsFile, 'utf8')).toMatch(
      new RegExp(`^${netns.nsAddress.replaceAll('.', '\\.')} ssh-ed25519 `),
    );
    pool = new SshPool({
      knownHostsFile,
      hosts: {
        far: { host: remote.host, user: remote.user, privateKeyFile: remote.privateKeyFile },
        near: { host: local.host, port: local.port, user: local.user, privateKeyFile: local.privateKeyFile },
      },
    });
    const showAddresses = ['ip', '-o', '-4', 'addr', 'show'];
    const [far, near] = await Promise.all([
      pool.exec('far', showAddresses, { timeoutMs: 30_000 }),
      pool.exec('near', showAddresses, { timeoutMs: 30_000 }),
    ]);
    expect(far.exitCode).toBe(0);
    // The far command really ran inside the namespace, and the near one outside it.
    expect(far.stdout).toContain(`inet ${netns.nsAddress}/30`);
    expect(far.stdout).not.toContain(`inet ${netns.hostAddress}/30`);
    expect(near.stdout).toContain(`inet ${netns.hostAddress}/30`);
    await pool.exec('far', ['true'], { timeoutMs: 30_000 });
    await pool.exec('near', ['true'], { timeoutMs: 30_000 });
    expect(pool.connectionsOpened).toBe(2);
  });
});
