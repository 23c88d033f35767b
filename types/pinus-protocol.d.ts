// pinus-protocol publishes its TypeScript source as its types, which fails strict checking;
// these declarations cover what the cross-check tests use.
declare module 'pinus-protocol' {
  export namespace Package {
    const TYPE_HANDSHAKE: number;
    const TYPE_HANDSHAKE_ACK: number;
    const TYPE_HEARTBEAT: number;
    const TYPE_DATA: number;
    const TYPE_KICK: number;
    function encode(type: number, body?: Buffer): Buffer;
    function decode(buffer: Buffer): { type: number; body: Buffer | null } | { type: number; body: Buffer | null }[];
  }
  export namespace Message {
    const TYPE_REQUEST: number;
    const TYPE_NOTIFY: number;
    const TYPE_RESPONSE: number;
    const TYPE_PUSH: number;
    function encode(
      id: number,
      type: number,
      compressRoute: boolean,
      route: number | string,
      msg: Buffer,
      compressGzip?: boolean,
    ): Buffer;
    function decode(buffer: Buffer): {
      id: number;
      type: number;
      compressRoute: number;
      route: number | string | null;
      body: Buffer;
      compressGzip: number;
    };
  }
}
