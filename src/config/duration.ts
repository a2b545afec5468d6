// The parser lives in src/core so that commands (`audit --since 2h`) can read durations too.
export { DURATION_HINT, parseDuration } from '../core/duration.js';
