import { configKey } from '@pitaya-ts/core';

/**
 * The game's own configuration keys, read like Pitaya's: from `bootstrap({ config })`, a file, or
 * env vars (`game.room.capacity` from `GAME_ROOM_CAPACITY`).
 */
export const configSchema = {
  'game.room.capacity': configKey.int(8, 'Players a room holds', 1),
};
