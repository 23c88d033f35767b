/**
 * Reads Pitaya's `protos.Error {1: code, 2: msg, 3: map<string,string> metadata}`: the one
 * protobuf message the client decodes itself (the application's own types come with its
 * protobufjs). A reader of a few wire types, so that no client bundle carries protobufjs for it.
 */
const text = new TextDecoder();

class WireReader {
  pos: number;

  constructor(
    private readonly bytes: Uint8Array,
    start = 0,
    readonly end = bytes.length,
  ) {
    this.pos = start;
  }

  varint(): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      const byte = this.byte();
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 0x80;
    }
    throw new Error('varint longer than 10 bytes');
  }

  /** A length-delimited field's bytes. */
  chunk(): Uint8Array {
    return this.take(this.varint());
  }

  skip(wireType: number): void {
    if (wireType === 0) this.varint();
    else if (wireType === 1) this.take(8);
    else if (wireType === 2) this.chunk();
    else if (wireType === 5) this.take(4);
    else throw new Error(`unsupported wire type ${wireType}`);
  }

  private byte(): number {
    const byte = this.pos < this.end ? this.bytes[this.pos] : undefined;
    if (byte === undefined) throw new Error('truncated message');
    this.pos++;
    return byte;
  }

  private take(length: number): Uint8Array {
    if (this.pos + length > this.end) throw new Error('truncated message');
    return this.bytes.subarray(this.pos, (this.pos += length));
  }
}

export interface ProtosError {
  code: string;
  msg: string;
  metadata: Record<string, string>;
}

export function decodeProtosError(bytes: Uint8Array): ProtosError {
  const reader = new WireReader(bytes);
  const error: ProtosError = { code: '', msg: '', metadata: {} };
  while (reader.pos < reader.end) {
    const tag = reader.varint();
    const field = Math.floor(tag / 8);
    if (field === 1 && tag % 8 === 2) error.code = text.decode(reader.chunk());
    else if (field === 2 && tag % 8 === 2) error.msg = text.decode(reader.chunk());
    else if (field === 3 && tag % 8 === 2) {
      const entry = reader.chunk();
      const fields = new WireReader(entry);
      let key = '';
      let value = '';
      while (fields.pos < fields.end) {
        const entryTag = fields.varint();
        if (entryTag === (1 << 3) + 2) key = text.decode(fields.chunk());
        else if (entryTag === (2 << 3) + 2) value = text.decode(fields.chunk());
        else fields.skip(entryTag % 8);
      }
      error.metadata[key] = value;
    } else reader.skip(tag % 8);
  }
  return error;
}
