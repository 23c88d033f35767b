import { errorMessage } from '@pitaya-ts/protocol';
import { ClientError, PitayaError } from './errors';
import { decodeProtosError } from './protos-error';

/** The part of a protobufjs `Type` the client uses; the application supplies the types. */
export interface ProtobufType {
  encode(message: object): { finish(): Uint8Array };
  decode(bytes: Uint8Array): object;
  toObject(message: object, options?: object): Record<string, unknown>;
  fromObject(object: Record<string, unknown>): object;
}

/** protobufjs types per route, for servers whose handshake says `serializer: "protobuf"`. */
export interface ProtobufRoutes {
  /** Request and notify bodies, by route. */
  requests?: Record<string, ProtobufType>;
  /** Response bodies, by the route of the request. */
  responses?: Record<string, ProtobufType>;
  /** Push bodies, by push route. */
  pushes?: Record<string, ProtobufType>;
  /** Passed to `Type.toObject` when decoding; defaults to `{ defaults: true }`. */
  toObjectOptions?: object;
}

/** Turns bodies into bytes and back, by the serializer the server announced. */
export interface BodySerializer {
  readonly name: string;
  encode(route: string, body: unknown): Uint8Array;
  decodeResponse(route: string, bytes: Uint8Array): unknown;
  decodePush(route: string, bytes: Uint8Array): unknown;
  decodeError(bytes: Uint8Array): PitayaError;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function errorFrom(value: unknown): PitayaError {
  const { code, msg, metadata } = (value ?? {}) as { code?: unknown; msg?: unknown; metadata?: unknown };
  const meta: Record<string, string> = {};
  if (metadata && typeof metadata === 'object') {
    for (const [k, v] of Object.entries(metadata)) meta[k] = String(v);
  }
  // Pitaya: an error without a code is PIT-000
  return new PitayaError(typeof code === 'string' && code ? code : 'PIT-000', typeof msg === 'string' ? msg : '', meta);
}

export class JsonBodySerializer implements BodySerializer {
  readonly name = 'json';

  encode(route: string, body: unknown): Uint8Array {
    if (body instanceof Uint8Array) return body;
    if (body === undefined) return new Uint8Array(0);
    try {
      return encoder.encode(JSON.stringify(body));
    } catch (err) {
      throw new ClientError('SERIALIZATION', `cannot serialize the body for ${route}: ${errorMessage(err)}`);
    }
  }

  decodeResponse(route: string, bytes: Uint8Array): unknown {
    if (bytes.length === 0) return undefined;
    try {
      return JSON.parse(decoder.decode(bytes));
    } catch {
      throw new ClientError('SERIALIZATION', `the answer for ${route} is not JSON`);
    }
  }

  decodePush(route: string, bytes: Uint8Array): unknown {
    return this.decodeResponse(route, bytes);
  }

  decodeError(bytes: Uint8Array): PitayaError {
    try {
      return errorFrom(JSON.parse(decoder.decode(bytes)));
    } catch {
      return new PitayaError('PIT-000', decoder.decode(bytes));
    }
  }
}

export class ProtobufBodySerializer implements BodySerializer {
  readonly name = 'protobuf';
  private readonly toObjectOptions: object;

  constructor(private readonly routes: ProtobufRoutes = {}) {
    this.toObjectOptions = routes.toObjectOptions ?? { defaults: true };
  }

  encode(route: string, body: unknown): Uint8Array {
    if (body instanceof Uint8Array) return body;
    const type = this.typeFor(this.routes.requests, 'request', route);
    try {
      return type.encode(type.fromObject((body ?? {}) as Record<string, unknown>)).finish();
    } catch (err) {
      throw new ClientError('SERIALIZATION', `cannot encode the body for ${route}: ${errorMessage(err)}`);
    }
  }

  decodeResponse(route: string, bytes: Uint8Array): unknown {
    return this.decode(this.typeFor(this.routes.responses, 'response', route), route, bytes);
  }

  decodePush(route: string, bytes: Uint8Array): unknown {
    return this.decode(this.typeFor(this.routes.pushes, 'push', route), route, bytes);
  }

  decodeError(bytes: Uint8Array): PitayaError {
    try {
      return errorFrom(decodeProtosError(bytes));
    } catch {
      return new PitayaError('PIT-000', 'undecodable error body');
    }
  }

  private decode(type: ProtobufType, route: string, bytes: Uint8Array): unknown {
    try {
      return type.toObject(type.decode(bytes), this.toObjectOptions);
    } catch (err) {
      throw new ClientError('SERIALIZATION', `cannot decode the ${route} body: ${errorMessage(err)}`);
    }
  }

  private typeFor(types: Record<string, ProtobufType> | undefined, kind: string, route: string): ProtobufType {
    const type = types?.[route];
    if (!type)
      throw new ClientError('SERIALIZATION', `no protobuf ${kind} type for ${route}; pass it in options.protobuf`);
    return type;
  }
}

export function serializerFor(name: string | undefined, protobuf: ProtobufRoutes | undefined): BodySerializer {
  if (name === undefined || name === 'json') return new JsonBodySerializer();
  if (name === 'protobuf') return new ProtobufBodySerializer(protobuf);
  throw new ClientError(
    'HANDSHAKE_FAILED',
    `the server uses the "${name}" serializer, which this client does not know`,
  );
}
