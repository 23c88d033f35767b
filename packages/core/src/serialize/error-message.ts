import { Type } from 'protobufjs';

/**
 * Pitaya's `protos.Error`, the body of an error answer to a protobuf client. Here, not with the
 * cluster's messages: a client's serializer needs this one message and none of the others.
 */
export const ERROR_MESSAGE_FIELDS = {
  code: { type: 'string', id: 1 },
  msg: { type: 'string', id: 2 },
  metadata: { keyType: 'string', type: 'string', id: 3 },
};

export const errorMessageType = Type.fromJSON('Error', { fields: ERROR_MESSAGE_FIELDS });
