import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';
import { protos, type RpcResponse } from '@pitaya-ts/core/provider';

/** A Uint8Array as a Buffer over the same memory: gRPC writes Buffers, and copying costs. */
export const asBuffer = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

const raw = (bytes: Buffer) => bytes;
const encodeResponse = (response: RpcResponse) => asBuffer(protos.encodeResponse(response));

/**
 * One method of Pitaya's `protos.Pitaya` service. Requests travel as the bytes of their message,
 * encoded by the caller and decoded by the server's handler (which answers an undecodable one with
 * an error rather than dropping it); answers are encoded and decoded here. Core's codec writes the
 * bytes of pitaya.proto, the same the NATS transport sends.
 */
function method<Answer>(
  name: string,
  encode: (answer: Answer) => Buffer,
  decode: (bytes: Buffer) => Answer,
): MethodDefinition<Buffer, Answer> {
  return {
    path: `/protos.Pitaya/${name}`,
    originalName: name,
    requestStream: false,
    responseStream: false,
    requestSerialize: raw,
    requestDeserialize: raw,
    responseSerialize: encode,
    responseDeserialize: decode,
  };
}

/** `service Pitaya` of proto/pitaya.proto: Call, PushToUser, SessionBindRemote, KickUser. */
export const PITAYA_SERVICE = {
  Call: method('Call', encodeResponse, protos.decodeResponse),
  PushToUser: method('PushToUser', encodeResponse, protos.decodeResponse),
  SessionBindRemote: method('SessionBindRemote', encodeResponse, protos.decodeResponse),
  KickUser: method(
    'KickUser',
    (answer: { kicked: boolean }) => asBuffer(protos.encodeKickAnswer(answer.kicked)),
    protos.decodeKickAnswer,
  ),
} satisfies ServiceDefinition;
