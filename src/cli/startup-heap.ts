import { setFlagsFromString } from 'node:v8';

/*
 * Why `detour serve` tunes one V8 setting while it starts.
 *
 * Starting loads some 900 modules: objects that all live on. V8 reads that as the sign of a busy
 * program and doubles its young generation (where new objects go) again and again, up to two
 * 8 MB halves, and startup touches both: the bot then idles with 16 MB resident for objects it no
 * longer makes, about 8 MB more than a bare Bolt app (bench:idle). Growing the young generation
 * only pays under load, so the bot holds it at its initial size while it starts (a few more,
 * shorter collections), then lets V8 grow it again, by its default factor, once it serves: a
 * burst of commands gets the young generation it needs, as by default.
 *
 * `v8.setFlagsFromString` after start-up is allowed but not promised to work; this flag is read
 * at each growth decision (Node 20's V8). Should a later V8 ignore it, the bot only keeps the
 * 8 MB: nothing else depends on it. The flag cannot go on the command line: the `detour` binary
 * is what systemd starts, and re-executing node for a flag would double the processes.
 */
const V8_DEFAULT_GROWTH_FACTOR = 2;

/** Until `startupDone()`, V8 keeps the young generation at its initial size. */
export function holdYoungGeneration(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
}

/** The bot serves: V8 sizes the young generation for the load again. */
export function startupDone(): void {
  setFlagsFromString(`--semi-space-growth-factor=${V8_DEFAULT_GROWTH_FACTOR}`);
}

/*
 * Why `detour serve` keeps WebAssembly on V8's baseline compiler.
 *
 * The only WebAssembly the bot runs is llhttp, the HTTP response parser of undici: Node's own
 * (fetch, for Mattermost) and the package's (Bolt's Web API client). Both are compiled at start
 * and used for the first API calls, which is enough for V8 to optimise the parser's large
 * function with TurboFan in a background thread: some 36 MB of compiler memory in that thread's
 * malloc arena, of which 10 MB stays resident about every other start (the jump bench:idle
 * shows, in a bare Bolt app too). The baseline code (Liftoff) parses the few responses a chat bot
 * gets just as well. Read when a module is compiled, so it must be set before the first one.
 */
export function wasmBaselineOnly(): void {
  setFlagsFromString('--liftoff-only');
}
