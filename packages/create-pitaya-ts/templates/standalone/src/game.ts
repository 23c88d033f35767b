import { ContainerModule } from 'inversify';
import { Clock } from './clock';
import { configSchema } from './config';
import { RoomHandler } from './room/room.handler';
import { RoomRemote } from './room/room.remote';

/** The game's own providers; tests rebind them with a module of their own after this one. */
export const gameProviders = new ContainerModule(({ bind }) => {
  bind(Clock).toSelf().inSingletonScope();
});

/** What makes this server, for `bootstrap()` in main.ts and `createTestApp()` in the tests. */
export const game = {
  serverType: 'game',
  handlers: [RoomHandler],
  remotes: [RoomRemote],
  providers: [gameProviders],
  configSchema,
};
