export * from './errors';
export * from './packet';
export * from './packet-stream-decoder';
export * from './message';
export * from './route-dictionary';
export * from './handshake';
export * from './zlib';
export { MAX_MESSAGE_ID } from './varint';
export { sortedJson } from './utf8';
