// The container's health check: healthy when the server answers a Pitaya handshake over TCP.
import { connect } from '@pitaya-ts/client';

connect(`tcp://127.0.0.1:${process.env.TCP_PORT ?? 3251}`, { timeout: 3000 })
  .then((client) => client.close())
  .then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
