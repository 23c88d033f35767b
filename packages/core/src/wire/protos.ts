import { Root, type Type } from 'protobufjs';
import type { WireError } from '../errors/pitaya-error';
import { ERROR_MESSAGE_FIELDS } from '../serialize/error-message';
import type { RpcRequest, RpcResponse, RpcSession } from './rpc-messages';

/**
 * Pitaya's cluster messages (package `protos`), as in proto/pitaya.proto: a test checks that this
 * descriptor and the .proto file agree field for field.
 */
export const PITAYA_PROTOS = {
  nested: {
    protos: {
      nested: {
        RPCType: { values: { Sys: 0, User: 1 } },
        MsgType: { values: { MsgRequest: 0, MsgNotify: 1, MsgResponse: 2, MsgPush: 3 } },
        Session: {
          fields: { id: { type: 'int64', id: 1 }, uid: { type: 'string', id: 2 }, data: { type: 'bytes', id: 3 } },
        },
        Msg: {
          fields: {
            id: { type: 'uint64', id: 1 },
            route: { type: 'string', id: 2 },
            data: { type: 'bytes', id: 3 },
            reply: { type: 'string', id: 4 },
            type: { type: 'MsgType', id: 5 },
          },
        },
        Request: {
          fields: {
            type: { type: 'RPCType', id: 1 },
            session: { type: 'Session', id: 2 },
            msg: { type: 'Msg', id: 3 },
            frontendID: { type: 'string', id: 4 },
            metadata: { type: 'bytes', id: 5 },
          },
        },
        Error: { fields: ERROR_MESSAGE_FIELDS },
        Response: { fields: { data: { type: 'bytes', id: 1 }, error: { type: 'Error', id: 2 } } },
        Push: {
          fields: { route: { type: 'string', id: 1 }, uid: { type: 'string', id: 2 }, data: { type: 'bytes', id: 3 } },
        },
        BindMsg: { fields: { uid: { type: 'string', id: 1 }, fid: { type: 'string', id: 2 } } },
        KickMsg: { fields: { userId: { type: 'string', id: 1 } } },
        KickAnswer: { fields: { kicked: { type: 'bool', id: 1 } } },
        Pitaya: {
          methods: {
            Call: { requestType: 'Request', responseType: 'Response' },
            PushToUser: { requestType: 'Push', responseType: 'Response' },
            SessionBindRemote: { requestType: 'BindMsg', responseType: 'Response' },
            KickUser: { requestType: 'KickMsg', responseType: 'KickAnswer' },
          },
        },
      },
    },
  },
};

/** What Pitaya answers where there is nothing to answer: a notify run, a sys remote done. */
export const ACK = new TextEncoder().encode('ack');

export const protosRoot = Root.fromJSON(PITAYA_PROTOS);
const type = (name: string): Type => protosRoot.lookupType(`protos.${name}`);
const T = {
  Session: type('Session'),
  Request: type('Request'),
  Response: type('Response'),
  Push: type('Push'),
  BindMsg: type('BindMsg'),
  KickMsg: type('KickMsg'),
  KickAnswer: type('KickAnswer'),
};
// int64/uint64 as numbers: session and message ids stay below 2^53
const AS_OBJECT = { longs: Number, defaults: true };
const EMPTY = new Uint8Array(0);
const json = new TextEncoder();
const text = new TextDecoder();

/** A message as a plain object, every field present: the proto's shape, which each caller names. */
function decode(t: Type, bytes: Uint8Array): unknown {
  return t.toObject(t.decode(bytes), AS_OBJECT);
}

export function encodeSession(session: RpcSession): Uint8Array {
  return T.Session.encode(T.Session.fromObject(session)).finish();
}

export function decodeSession(bytes: Uint8Array): RpcSession {
  return decode(T.Session, bytes) as RpcSession;
}

export function encodeRequest(request: RpcRequest): Uint8Array {
  return T.Request.encode(
    T.Request.fromObject({
      type: request.type,
      session: request.session,
      msg: request.msg,
      frontendID: request.frontendId,
      metadata: json.encode(JSON.stringify(request.metadata)),
    }),
  ).finish();
}

export function decodeRequest(bytes: Uint8Array): RpcRequest {
  const raw = decode(T.Request, bytes) as {
    type: number;
    session?: RpcSession;
    msg?: RpcRequest['msg'];
    frontendID: string;
    metadata: Uint8Array;
  };
  let metadata: Record<string, unknown> = {};
  if (raw.metadata.length > 0) {
    const parsed: unknown = JSON.parse(text.decode(raw.metadata));
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) metadata = parsed as Record<string, unknown>;
  }
  return {
    type: raw.type as RpcRequest['type'],
    session: raw.session,
    msg: raw.msg ?? { id: 0, route: '', data: EMPTY, reply: '', type: 0 },
    frontendId: raw.frontendID,
    metadata,
  };
}

export function encodeResponse(response: RpcResponse): Uint8Array {
  return T.Response.encode(T.Response.fromObject(response)).finish();
}

export function decodeResponse(bytes: Uint8Array): RpcResponse {
  const raw = T.Response.toObject(T.Response.decode(bytes), { longs: Number }) as {
    data?: Uint8Array;
    // without defaults: a field Go left empty is absent
    error?: Partial<WireError>;
  };
  const response: RpcResponse = { data: raw.data ?? EMPTY };
  if (raw.error)
    response.error = { code: raw.error.code ?? '', msg: raw.error.msg ?? '', metadata: raw.error.metadata ?? {} };
  return response;
}

export interface PushMessage {
  route: string;
  uid: string;
  /** Already serialized for the client. */
  data: Uint8Array;
}

export function encodePush(push: PushMessage): Uint8Array {
  return T.Push.encode(T.Push.fromObject(push)).finish();
}

export function decodePush(bytes: Uint8Array): PushMessage {
  return decode(T.Push, bytes) as PushMessage;
}

export interface BindMessage {
  uid: string;
  /** The frontend server id holding the session. */
  fid: string;
  /**
   * When the frontend bound the session (ms since the epoch, its clock). Not in Pitaya's BindMsg:
   * providers carry it beside the message (a NATS header), and Go Pitaya servers send none.
   */
  boundAt?: number;
}

export function encodeBindMsg(bind: BindMessage): Uint8Array {
  return T.BindMsg.encode(T.BindMsg.fromObject({ uid: bind.uid, fid: bind.fid })).finish();
}

export function decodeBindMsg(bytes: Uint8Array): BindMessage {
  return decode(T.BindMsg, bytes) as BindMessage;
}

export function encodeKickMsg(userId: string): Uint8Array {
  return T.KickMsg.encode(T.KickMsg.fromObject({ userId })).finish();
}

export function decodeKickMsg(bytes: Uint8Array): { userId: string } {
  return decode(T.KickMsg, bytes) as { userId: string };
}

export function encodeKickAnswer(kicked: boolean): Uint8Array {
  return T.KickAnswer.encode(T.KickAnswer.fromObject({ kicked })).finish();
}

export function decodeKickAnswer(bytes: Uint8Array): { kicked: boolean } {
  return decode(T.KickAnswer, bytes) as { kicked: boolean };
}
