import { ownValue } from '../core/own-key.js';
import type { Config } from './schema.js';

/** Checks that go across sections: unique names, references to hosts and playbooks. */
export function checkReferences(config: Config): string[] {
  const problems: string[] = [];
  const seen = new Map<string, number>();
  config.backups.forEach((b, i) => {
    const first = seen.get(b.name);
    if (first !== undefined) problems.push(`backups[${i}].name: "${b.name}" is already used by backups[${first}]`);
    else seen.set(b.name, i);
    const playbook = b.job && 'playbook' in b.job ? b.job.playbook : undefined;
    // Not allow-listed: a playbook of the playbook folder (`backup` is backup.yml), looked for when it runs.
    if (
      playbook !== undefined &&
      ownValue(config.ansible?.playbooks, playbook) === undefined &&
      !/^[a-z0-9][a-z0-9_-]*$/i.test(playbook)
    ) {
      problems.push(
        `backups[${i}].job.playbook: no playbook "${playbook}" under ansible.playbooks, nor a playbook name of the playbook folder`,
      );
    }
    const host = b.job && 'host' in b.job ? b.job.host : undefined;
    if (host !== undefined && ownValue(config.hosts, host) === undefined) {
      problems.push(`backups[${i}].job.host: no host "${host}" under hosts`);
    }
  });
  for (const [name, check] of Object.entries(config.checks)) {
    if (check.repository !== undefined && !seen.has(check.repository)) {
      problems.push(`checks.${name}.repository: no repository "${check.repository}" under backups`);
    }
  }
  for (const [target, unlock] of Object.entries(config.unlock)) {
    if (ownValue(config.hosts, unlock.host) === undefined) {
      problems.push(`unlock.${target}.host: no host "${unlock.host}" under hosts`);
    }
  }
  for (const [key, levels] of Object.entries(config.thresholds)) {
    if (levels.warn > levels.crit)
      problems.push(`thresholds.${key}: warn (${levels.warn}) is above crit (${levels.crit})`);
  }
  return problems;
}
