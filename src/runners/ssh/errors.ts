import { DetourError } from '../../core/errors.js';

export type SshErrorCode =
  | 'ssh_unknown_host'
  | 'ssh_bad_command'
  | 'ssh_known_hosts_unreadable'
  | 'ssh_private_key_unreadable'
  | 'ssh_private_key_invalid'
  | 'ssh_host_key_unknown'
  | 'ssh_host_key_changed'
  | 'ssh_host_key_revoked'
  | 'ssh_auth_failed'
  | 'ssh_connect_timeout'
  | 'ssh_unreachable'
  | 'ssh_handshake_failed'
  | 'ssh_channel_failed'
  | 'ssh_connection_lost'
  | 'ssh_pool_closed';

/**
 * Everything that keeps a command from running on (or coming back from) a
 * host. Messages name the host, the user and file paths, never key material,
 * command arguments or stdin. `host` is the configured host name.
 */
export class SshError extends DetourError {
  declare readonly code: SshErrorCode;
  readonly host: string;

  constructor(code: SshErrorCode, host: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.host = host;
  }
}
