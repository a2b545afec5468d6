import { userInfo } from 'node:os';
import { createInterface, type Interface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { Pipeline } from '../../core/pipeline.js';
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
  #rl: Interface | undefined;

  constructor(options: { input: Readable; output: Writable; onClose: () => void }) {
    this.#input = options.input;
    this.#output = options.output;
    this.#onClose = options.onClose;
  }

  async start(pipeline: Pipeline): Promise<void> {
    const rl = createInterface({ input: this.#input, output: this.#output, prompt: 'detour> ' });
    this.#rl = rl;
    const actor = { kind: 'local', username: userInfo().username } as const;
    this.#output.write('Type "help" for the commands, Ctrl-C or "exit" to stop.\n');
    rl.prompt();
    rl.on('line', async (line) => {
      const text = line.trim();
      if (text === 'exit' || text === 'quit') return rl.close();
      if (text !== '') {
        const result = await pipeline({ text, actor, platform: 'console' });
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

  async stop(): Promise<void> {
    this.#rl?.close();
  }

  state(): PlatformState {
    return this.#rl ? 'up' : 'down';
  }

  async post(channel: string, text: string): Promise<void> {
    this.#output.write(`\n[#${channel}] ${text}\n`);
    this.#rl?.prompt(true);
  }
}
