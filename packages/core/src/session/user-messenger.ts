/** Push to and kick users by uid, wherever they are connected (locally in standalone mode). */
export interface UserMessenger {
  /** Resolves with the uids that could not be reached. */
  pushToUsers(route: string, body: unknown, uids: string[], frontendType?: string): Promise<string[]>;
  /** Resolves with the uids that could not be kicked. */
  kickUsers(uids: string[], reason?: string, frontendType?: string): Promise<string[]>;
}
