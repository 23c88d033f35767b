// README's application configuration fragment, between the region marks
import 'reflect-metadata';
import { Handler } from '@pitaya-ts/core';

@Handler()
class GameHandler {}

// #region readme
import { bootstrap, configKey, type PitayaConfig } from '@pitaya-ts/core';

const configSchema = {
  'ttt.maxplayers': configKey.int(2, 'Players in a game', 1), // default, doc, minimum
  'ttt.turn.timeout': configKey.duration('30s', 'Time a player has to move'),
  'ttt.board': configKey.string('classic', 'Board', ['classic', 'ultimate']),
};
const app = await bootstrap({ serverType: 'ttt', configSchema, handlers: [GameHandler] });
app.config.get('ttt.maxplayers'); // a number; a key the schema lacks does not compile
// in a handler: @inject(TOKENS.Config) config: PitayaConfig<typeof configSchema>
// #endregion
export type GameConfig = PitayaConfig<typeof configSchema>;
