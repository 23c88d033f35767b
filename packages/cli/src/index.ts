/** pitaya-cli as a library: the session the REPL drives, the REPL itself, and the file runner. */
export { CliSession, type CliSessionOptions, type HandshakeData, type Output } from './cli-session';
export { COMMANDS, runLine, type Command, type Outcome } from './commands';
export { ProtobufTypes, type TypeNames } from './protobuf-types';
export { completer, startRepl, PROMPT, type ReplOptions } from './repl';
export { runFile, type RunFileOptions } from './run-file';
