// README's Providers fragment (rebinding in a test), between the region marks, with what it takes
import 'reflect-metadata';
import { bootstrap, Handler, TOKENS } from '@pitaya-ts/core';

@Handler('room')
class RoomHandler {}
const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

// #region readme
const app = await bootstrap({ serverType: 'room', handlers: [RoomHandler] });
app.container.rebind(TOKENS.Forwarder).toConstantValue(async (route) => json({ forwarded: route.full }));
await app.start();
// #endregion
await app.stop();
