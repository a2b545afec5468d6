/** The options every `detour` subcommand accepts (node:util parseArgs), and their parsed values. */
export const cliOptions = {
  config: { type: 'string' },
  as: { type: 'string' },
  json: { type: 'boolean' },
  since: { type: 'string' },
  limit: { type: 'string' },
  month: { type: 'string' },
  out: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export type CliValues = {
  [K in keyof typeof cliOptions]?: (typeof cliOptions)[K]['type'] extends 'boolean' ? boolean : string;
};
