export { ansibleJobKey, JobRegistry } from './job-registry.js';
export type { PlaybookEntry } from './request.js';
export { refusalToError } from './request.js';
export type { AnsibleRunDeps } from './run.js';
export { runAllowListedPlaybook } from './run.js';
