import type { Readable, Writable } from 'node:stream';
import { CommandFailedError } from '../../core/errors.js';
import { Secret } from '../../core/secret.js';

type Input = Readable & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };

/**
 * Reads a secret from the terminal without echo, or from a pipe
 * (`echo -n … | detour run "unlock x"`, one trailing newline dropped). The
 * prompt goes to stderr so stdout stays the reply.
 */
export function readSecret(input: Input, prompt: string, errorOutput: Writable): Promise<Secret> {
  if (input.isTTY && input.setRawMode) return readFromTerminal(input, prompt, errorOutput);
  return readFromPipe(input);
}

async function readFromPipe(input: Readable): Promise<Secret> {
  const chunks: Buffer[] = [];
  for await (const chunk of input) chunks.push(Buffer.from(chunk));
  const text = Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
  if (text === '') throw new CommandFailedError('no_secret', 'no passphrase on standard input');
  return new Secret(text);
}

function readFromTerminal(input: Input, prompt: string, errorOutput: Writable): Promise<Secret> {
  errorOutput.write(prompt);
  input.setRawMode?.(true);
  input.resume();
  return new Promise((resolve, reject) => {
    let typed = '';
    const done = (error?: Error) => {
      input.off('data', onData);
      input.setRawMode?.(false);
      input.pause();
      errorOutput.write('\n');
      if (error) reject(error);
      else resolve(new Secret(typed));
    };
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') return done(new CommandFailedError('no_secret', 'passphrase entry cancelled'));
        if (ch === '\u007f' || ch === '\b') typed = typed.slice(0, -1);
        else typed += ch;
      }
    };
    input.on('data', onData);
  });
}
