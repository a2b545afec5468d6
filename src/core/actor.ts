/** Who asks. Chat users are resolved to an e-mail by their platform. */
export type Actor =
  | { kind: 'user'; email: string; platformUserId?: string }
  /** Someone at the server's terminal: they already hold the config and its secrets. */
  | { kind: 'local'; username: string }
  | { kind: 'scheduler' };

export function actorLabel(actor: Actor): string {
  switch (actor.kind) {
    case 'user':
      return actor.email;
    case 'local':
      return `local:${actor.username}`;
    case 'scheduler':
      return 'scheduler';
  }
}
