import type { AnyCommand } from '../src/core/command.js';
import { backupStatus } from './backup-status.js';
import { help } from './help.js';

/** Every chat command, in the order `help` lists them. */
export const commands: readonly AnyCommand[] = [help, backupStatus];
