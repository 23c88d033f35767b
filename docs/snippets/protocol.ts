import {
  decodeMessage,
  encodeDataPacket,
  MessageType,
  PacketStreamDecoder,
  RouteDictionary,
} from '@pitaya-ts/protocol';

const dictionary = new RouteDictionary({ 'room.room.join': 1 });
const packet = encodeDataPacket(
  { type: MessageType.Request, id: 1, route: 'room.room.join', body: new TextEncoder().encode('{}'), error: false },
  { dictionary, compress: true },
);
const decoder = new PacketStreamDecoder({ maxPacketSize: 64 * 1024 }); // TCP: packets across reads
for (const { body } of decoder.push(packet)) console.log(decodeMessage(body, { dictionary }));
