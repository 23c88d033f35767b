import { JsonSerializer } from './json-serializer';
import { ProtobufSerializer } from './protobuf-serializer';

/**
 * How RPC arguments and results travel: protobuf when the remote names its types (`@Proto()`, as
 * Pitaya's remotes take proto messages), JSON when neither side does, raw bytes as they are.
 */
export class RpcCodec {
  private readonly json: JsonSerializer;
  private protobuf: ProtobufSerializer | undefined;

  constructor(
    private readonly protoFiles: string[],
    maxJsonDepth?: number,
  ) {
    this.json = new JsonSerializer(maxJsonDepth);
  }

  private proto(): ProtobufSerializer {
    return (this.protobuf ??= new ProtobufSerializer(this.protoFiles));
  }

  encode(value: unknown, type?: string): Uint8Array {
    if (value instanceof Uint8Array) return value;
    return type ? this.proto().marshal(value, type) : this.json.marshal(value);
  }

  decode(bytes: Uint8Array, type?: string): unknown {
    return type ? this.proto().unmarshal(bytes, type) : this.json.unmarshal(bytes);
  }
}
