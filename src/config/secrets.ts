import { Secret } from '../core/secret.js';

/**
 * Every secret of the configuration (passphrases, chat tokens, check tokens), wherever it sits:
 * what is scrubbed from text that came from outside (a pushed log tail) before it is posted.
 */
export function configSecrets(node: unknown, found: Secret[] = []): Secret[] {
  if (node instanceof Secret) {
    if (node.reveal() !== '') found.push(node);
  } else if (Array.isArray(node)) {
    for (const item of node) configSecrets(item, found);
  } else if (node !== null && typeof node === 'object') {
    for (const value of Object.values(node)) configSecrets(value, found);
  }
  return found;
}
