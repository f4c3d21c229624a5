// What every secret store is (keychain, file, credential helper) and what
// opening one needs. Types only: each store's module and store.ts import them.

export interface SecretStore {
  /** For messages: "the Secret Service keychain", the file's path, or the helper. */
  readonly description: string;
  get(account: string): Promise<string | null>;
  set(account: string, value: string): Promise<void>;
  /** Deleting what is not there is no error (some helpers cannot tell the difference). */
  delete(account: string): Promise<void>;
  /** The accounts amz-token holds in this store (names, never values), sorted. */
  list(): Promise<string[]>;
}

export interface StoreOptions {
  env: Readonly<Record<string, string | undefined>>;
  /** config.json's folder: the store setting is read there, and no secrets file may live in it. */
  configDir: string;
  /** Where the file store keeps secrets.json unless AMZ_TOKEN_SECRETS_FILE says otherwise. */
  dataDir: string;
  warn: (line: string) => void;
  /** False with --no-input: nothing the store runs may prompt. */
  prompt: boolean;
}
