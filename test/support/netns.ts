/**
 * A network namespace joined to this one by a veth pair, so a test can reach
 * a "second machine" at a private address it picked itself. Needs root and
 * a kernel that lets this container create namespaces; probeNetns() says why not.
 */
import { execa } from 'execa';

export interface TestNetns {
  name: string;
  /** Our side of the veth pair. */
  hostAddress: string;
  /** The address inside the namespace. */
  nsAddress: string;
  /** argv prefix that runs a program inside the namespace. */
  wrap: readonly string[];
  remove(): Promise<void>;
}

async function ip(args: readonly string[]): Promise<void> {
  const result = await execa('ip', args, { reject: false, timeout: 15_000 });
  if (result.exitCode !== 0)
    throw new Error(`ip ${args.join(' ')}: ${result.stderr.trim() || `exit ${result.exitCode}`}`);
}

/** Undefined when namespaces and veth pairs work here, else the reason they do not. */
export async function probeNetns(): Promise<string | undefined> {
  try {
    const ns = await createNetns(`detour-probe-${process.pid}`, 250);
    await ns.remove();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** `octet` picks the 10.213.<octet>.0/30 link, so parallel test files do not collide. */
export async function createNetns(name: string, octet: number): Promise<TestNetns> {
  const hostAddress = `10.213.${octet}.1`;
  const nsAddress = `10.213.${octet}.2`;
  // Interface names are limited to 15 characters.
  const vethHost = `dtv${process.pid % 100_000}h${octet}`.slice(0, 15);
  const vethNs = `dtv${process.pid % 100_000}n${octet}`.slice(0, 15);
  const remove = async (): Promise<void> => {
    await execa('ip', ['netns', 'del', name], { reject: false, timeout: 15_000 });
    // Deleting the namespace deletes its end of the pair, and with it ours; this is for half-made setups.
    await execa('ip', ['link', 'del', vethHost], { reject: false, timeout: 15_000 });
  };
  try {
    await ip(['netns', 'add', name]);
    await ip(['link', 'add', vethHost, 'type', 'veth', 'peer', 'name', vethNs]);
    await ip(['link', 'set', vethNs, 'netns', name]);
    await ip(['addr', 'add', `${hostAddress}/30`, 'dev', vethHost]);
    await ip(['link', 'set', vethHost, 'up']);
    await ip(['netns', 'exec', name, 'ip', 'addr', 'add', `${nsAddress}/30`, 'dev', vethNs]);
    await ip(['netns', 'exec', name, 'ip', 'link', 'set', vethNs, 'up']);
    await ip(['netns', 'exec', name, 'ip', 'link', 'set', 'lo', 'up']);
  } catch (error) {
    await remove();
    throw error;
  }
  return { name, hostAddress, nsAddress, wrap: ['ip', 'netns', 'exec', name], remove };
}
