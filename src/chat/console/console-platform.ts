import { userInfo } from 'node:os';
import { createInterface, type Interface } from 'node:readline';
import { type Readable, Writable } from 'node:stream';
import type { Pipeline } from '../../core/pipeline.js';
import { Secret } from '../../core/secret.js';
import type { ChatMessage } from '../message.js';
import type { ChatPlatform, PlatformState } from '../platform.js';

/**
 * The terminal as a chat (Hubot's shell): each line typed is a command from
 * the local user. Used by `detour serve` when stdin is a terminal.
 */
export class ConsolePlatform implements ChatPlatform {
  readonly name = 'console';
  readonly #input: Readable;
  readonly #output: Writable;
  readonly #onClose: () => void;
  /** While a passphrase is typed, nothing readline echoes reaches the terminal. */
  #muted = false;
  #rl: Interface | undefined;

  constructor(options: { input: Readable; output: Writable; onClose: () => void }) {
    this.#input = options.input;
    this.#output = options.output;
    this.#onClose = options.onClose;
  }

  async start(pipeline: Pipeline): Promise<void> {
    const output = new Writable({
      write: (chunk, _encoding, callback) => {
        if (!this.#muted) this.#output.write(chunk);
        callback();
      },
    });
    const rl = createInterface({ input: this.#input, output, prompt: 'detour> ', terminal: true });
    this.#rl = rl;
    const actor = { kind: 'local', username: userInfo().username } as const;
    this.#output.write('Type "help" for the commands, Ctrl-C or "exit" to stop.\n');
    rl.prompt();
    rl.on('line', async (line) => {
      const text = line.trim();
      if (text === 'exit' || text === 'quit') return rl.close();
      if (text !== '') {
        const result = await pipeline({
          text,
          actor,
          platform: 'console',
          askSecret: (prompt) => this.#askHidden(rl, prompt),
          progress: (progress) => this.#output.write(`  … ${progress}\n`),
        });
        this.#output.write(`${result.text}\n`);
      }
      rl.prompt();
    });
    rl.on('SIGINT', () => rl.close());
    rl.on('close', () => {
      this.#rl = undefined;
      this.#onClose();
    });
  }

  /** Reads one line without echo, and keeps it out of the command history. */
  #askHidden(rl: Interface, prompt: string): Promise<Secret> {
    this.#output.write(prompt);
    this.#muted = true;
    return new Promise((resolve) => {
      rl.question('', (answer) => {
        this.#muted = false;
        const history = (rl as unknown as { history?: string[] }).history;
        if (answer !== '' && history?.[0] === answer) history.shift();
        this.#output.write('\n');
        resolve(new Secret(answer));
      });
    });
  }

  async stop(): Promise<void> {
    this.#rl?.close();
  }

  state(): PlatformState {
    return this.#rl ? 'up' : 'down';
  }

  async deliver(channel: string, message: ChatMessage): Promise<void> {
    // The terminal shows where the files are rather than their bytes.
    const files = (message.files ?? []).map((f) => `  ${f.name}: ${f.path}`);
    const text = [message.title, message.body, ...files].filter(Boolean).join('\n');
    this.#output.write(`\n[#${channel}] ${text}\n`);
    this.#rl?.prompt(true);
  }
}
