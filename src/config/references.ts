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
    const playbook = b.job?.playbook;
    if (playbook !== undefined && ownValue(config.ansible?.playbooks, playbook) === undefined) {
      problems.push(`backups[${i}].job.playbook: no playbook "${playbook}" under ansible.playbooks`);
    }
  });
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
