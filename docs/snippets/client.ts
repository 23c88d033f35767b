import { connect, PitayaError } from '@pitaya-ts/client';

// Declare the routes once: request, notify and push bodies are then type-checked.
interface ChatRoutes {
  requests: { 'chat.room.join': { request: { name: string }; response: { members: string[] } } };
  notifies: { 'chat.room.send': { text: string } };
  pushes: { onMessage: { from: string; text: string }; onJoin: { name: string } };
}

async function main() {
  const client = await connect<ChatRoutes>('ws://127.0.0.1:3250', {
    handshakeData: { version: '1.0' }, // stored with the session on the server
    timeout: 5000, // connect + handshake
    reconnect: { minDelay: 500, maxDelay: 10_000 }, // optional
  });

  client.on('onMessage', ({ from, text }) => console.log(`${from}: ${text}`));
  client.events.on('kick', (reason) => console.log('kicked', reason));
  client.events.on('close', (reason, reconnecting) => console.log('closed:', reason.message, { reconnecting }));

  try {
    const { members } = await client.request('chat.room.join', { name: 'ana' }, { timeout: 3000 });
    client.notify('chat.room.send', { text: `hello ${members.join(', ')}` });
  } catch (err) {
    if (PitayaError.is(err)) console.log(err.code, err.msg, err.metadata); // e.g. PIT-400 with the reasons
  }
  await client.close();
}

void main();
