import * as zlib from 'node:zlib';
import { errorMessage, ProtocolError, type ZlibCodec } from '@pitaya-ts/protocol';

/** node:zlib for the server: several times faster than the portable default, and bounded natively. */
export const nodeZlib: ZlibCodec = {
  deflate: (data) => zlib.deflateSync(data),
  inflate(data, maxOutputLength) {
    try {
      return zlib.inflateSync(data, { maxOutputLength });
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'ERR_BUFFER_TOO_LARGE') {
        throw new ProtocolError('ERR_BODY_TOO_LARGE', `inflated body exceeds ${maxOutputLength} bytes`);
      }
      throw new ProtocolError('ERR_ZLIB', errorMessage(err));
    }
  },
  gunzip(data, maxOutputLength) {
    try {
      return zlib.gunzipSync(data, { maxOutputLength });
    } catch (err) {
      throw new ProtocolError('ERR_ZLIB', errorMessage(err));
    }
  },
};
