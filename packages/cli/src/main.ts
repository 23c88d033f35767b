#!/usr/bin/env node
import * as os from 'node:os';
import * as path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { ProtobufTypes } from './protobuf-types';
import { startRepl } from './repl';
import { runFile } from './run-file';

interface Options {
  file?: string;
  proto: string[];
  types?: string;
  history: string | false;
  timeout: number;
}

const collect = (value: string, previous: string[]) => [...previous, ...value.split(',').filter(Boolean)];
const positiveInt = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('a positive number of milliseconds');
  return n;
};

const program = new Command()
  .name('pitaya-cli')
  .description('A REPL client for Pitaya and pitaya-ts servers')
  .argument('[url]', 'connect here first: ws://, wss://, tcp://, tls://, or host:port for TCP')
  .option('-f, --file <file>', 'run the commands of a file, then exit; exit code 1 at the first error')
  .option('--proto <file>', 'a .proto file with the messages of a protobuf server (repeat, or a,b)', collect, [])
  .option('--types <file>', 'protobuf: YAML or JSON {requests, responses, pushes} of route -> message type')
  .option('--history <file>', 'where the REPL keeps its history', path.join(os.homedir(), '.pitaya_cli_history'))
  .option('--no-history', 'keep no history')
  .option('--timeout <ms>', 'connect and request deadline', positiveInt, 10_000)
  .addHelpText('after', '\nIn the REPL, `help` lists the commands.')
  .parse();

async function main(): Promise<number> {
  const url = program.args[0];
  const opts = program.opts<Options>();
  if (opts.types && opts.proto.length === 0) throw new Error('--types needs the .proto files: --proto <file>');
  const protobuf = opts.proto.length ? ProtobufTypes.load(opts.proto, opts.types) : undefined;
  const session = { protobuf, timeout: opts.timeout };
  if (opts.file) {
    const out = { print: (line: string) => console.log(line), error: (line: string) => console.error(line) };
    return runFile(opts.file, { ...session, url }, out);
  }
  await startRepl({
    ...session,
    input: process.stdin,
    output: process.stdout,
    historyFile: opts.history || undefined,
    firstLines: url ? [`connect ${url}`] : [],
  });
  return 0;
}

main().then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    console.error(`pitaya-cli: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 2;
  },
);
