export type { AnsibleArgvOptions, AnsibleInvocation, AnsiblePaths } from './argv.js';
export { ANSIBLE_PLAYBOOK, buildAnsibleInvocation, JSONL_CALLBACK } from './argv.js';
export type { JobCancel, JobHandle, JobStart } from './job-registry.js';
export { ansibleJobKey, JobCanceledError, JobRegistry } from './job-registry.js';
export { ansibleErrorMessage, classifyAnsibleExit } from './outcome.js';
export { AnsibleOutputParser } from './output-parser.js';
export type { ParsedAnsibleOutput } from './progress.js';
export { shorten } from './progress.js';
export type {
  AnsibleRefusal,
  AnsibleRequest,
  AnsibleValidation,
  PlaybookEntry,
  ValidatedAnsibleRequest,
} from './request.js';
export { LIMIT_PATTERN, refusalToError, TAG_PATTERN, validateAnsibleRequest } from './request.js';
export type { AnsibleAttempt, AnsibleRunDeps, AnsibleRunOptions } from './run.js';
export { countListedTasks, runAllowListedPlaybook, runAnsiblePlaybook } from './run.js';
