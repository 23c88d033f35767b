import { encodeDataPacket, MessageType, type RouteDictionary, type ZlibCodec } from '@pitaya-ts/protocol';

// zlib seldom shrinks bodies this small, and trying costs more than the bytes it could save
const COMPRESS_MIN_BYTES = 128;
// small packets come from Node's shared pool rather than an ArrayBuffer each
const allocate = (length: number): Buffer => Buffer.allocUnsafe(length);

/** How messages towards clients are encoded on this server. */
export class OutboundEncoder {
  constructor(
    private readonly dictionary: RouteDictionary,
    private readonly compression: boolean,
    private readonly zlib: ZlibCodec,
  ) {}

  private compress(body: Uint8Array, canInflate: boolean): boolean {
    return this.compression && canInflate && body.length >= COMPRESS_MIN_BYTES;
  }

  response(id: number, body: Uint8Array, error: boolean, canInflate: boolean): Uint8Array {
    return encodeDataPacket(
      { type: MessageType.Response, id, route: '', body, error },
      { compress: this.compress(body, canInflate), zlib: this.zlib, allocate },
    );
  }

  push(route: string, body: Uint8Array, canInflate: boolean): Uint8Array {
    return encodeDataPacket(
      { type: MessageType.Push, id: 0, route, body, error: false },
      { dictionary: this.dictionary, compress: this.compress(body, canInflate), zlib: this.zlib, allocate },
    );
  }

  /** A push encoded at most twice (with and without zlib), however many clients receive it. */
  prepare(route: string, body: Uint8Array): PreparedPush {
    return new PreparedPush(this, route, body);
  }
}

export class PreparedPush {
  private plain: Uint8Array | undefined;
  private inflatable: Uint8Array | undefined;

  constructor(
    private readonly encoder: OutboundEncoder,
    readonly route: string,
    readonly body: Uint8Array,
  ) {}

  packet(canInflate: boolean): Uint8Array {
    if (canInflate) return (this.inflatable ??= this.encoder.push(this.route, this.body, true));
    return (this.plain ??= this.encoder.push(this.route, this.body, false));
  }
}
