/** Local Mattermost emulator for detour-bot's tests; see server.ts for what it enforces. */

export type { AppErrorBody } from './app-error.js';
export type { CommandResponse, SlashCommandOptions, SlashCommandResult } from './commands.js';
export { DEFAULT_MAX_FILE_SIZE, type FileRecord } from './files.js';
export { newId } from './ids.js';
export type { ClickOptions, IntegrationResult, SubmitOptions, SubmitResult } from './interactions.js';
export type {
  CallRecord,
  DialogRecord,
  EmulatorChannel,
  EmulatorTeam,
  EmulatorUser,
  EphemeralRecord,
  PostRecord,
  Warning,
} from './model.js';
export {
  createMattermostEmulator,
  type Fault,
  type MattermostEmulator,
  type MattermostEmulatorOptions,
} from './server.js';
