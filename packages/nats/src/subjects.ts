/** Pitaya's NATS subjects. */
export const subjects = {
  /** Every RPC to a server. */
  server: (type: string, id: string) => `pitaya/servers/${type}/${id}`,
  /** Pushes to a user, wherever it is connected. */
  userPush: (frontendType: string, uid: string) => `pitaya/${frontendType}/user/${uid}/push`,
  userKick: (frontendType: string, uid: string) => `pitaya/${frontendType}/user/${uid}/kick`,
  /** Unique sessions: other frontends kick their session of a uid bound elsewhere. */
  bindings: (frontendType: string) => `pitaya/${frontendType}/bindings`,
};
