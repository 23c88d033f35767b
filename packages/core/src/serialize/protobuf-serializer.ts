import * as path from 'node:path';
import { loadSync, Root, type Type } from 'protobufjs';
import { PitayaError } from '../errors/pitaya-error';
import { errorMessageType } from './error-message';
import type { Serializer } from './serializer';
import { errorMessage } from '@pitaya-ts/protocol';

/**
 * protobuf bodies, with message types looked up by full name (`chat.JoinRequest`) in the .proto
 * files given. A handler names its types with `@Proto(request, response)`.
 */
export class ProtobufSerializer implements Serializer {
  readonly name = 'protobuf';
  private readonly root: Root;
  private readonly types = new Map<string, Type>();

  constructor(files: string[] = [], root?: Root) {
    this.root = root ?? (files.length ? loadSync(files.map((f) => path.resolve(f))) : new Root());
  }

  marshal(value: unknown, type?: string): Uint8Array {
    if (value instanceof Uint8Array) return value;
    if (value === undefined) return new Uint8Array(0);
    const messageType = this.type(type);
    const invalid = messageType.verify(value as Record<string, unknown>);
    if (invalid) throw new Error(`cannot encode ${type}: ${invalid}`);
    return messageType.encode(messageType.fromObject(value as Record<string, unknown>)).finish();
  }

  unmarshal(bytes: Uint8Array, type?: string): unknown {
    const messageType = this.type(type);
    try {
      return messageType.toObject(messageType.decode(bytes), { defaults: true });
    } catch (err) {
      throw PitayaError.badRequest(`body is not a valid ${type}: ${errorMessage(err)}`);
    }
  }

  marshalError(error: { code: string; msg: string; metadata?: Record<string, string> }): Uint8Array {
    return errorMessageType.encode(errorMessageType.fromObject(error)).finish();
  }

  private type(name: string | undefined): Type {
    if (!name) throw new Error('the protobuf serializer needs a message type: use @Proto() on the handler');
    let type = this.types.get(name);
    if (!type) {
      type = this.root.lookupType(name);
      this.types.set(name, type);
    }
    return type;
  }
}
