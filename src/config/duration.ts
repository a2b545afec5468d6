// The parser lives in core so commands (`alerts silence <key> 2h`) read durations as the config does.
export { DURATION_HINT, parseDuration } from '../core/duration.js';
