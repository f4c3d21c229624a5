// The app's secret queue as rotation sees it: receive, delete, hand back. Types only;
// the real one (src/rotation/sqs.ts, with the AWS SDK) loads when a command opens a queue.

export interface QueueMessage {
  id: string;
  body: string;
  receiptHandle: string;
}

export interface ReceiveOptions {
  /** Long poll: up to this many seconds (0-20) for a message to arrive. */
  waitSeconds: number;
  /** How long received messages stay hidden from other readers. */
  visibilitySeconds: number;
  /** Ends a long poll early (SIGTERM in watch-secrets). */
  stop?: AbortSignal;
}

export interface SecretQueue {
  readonly url: string;
  /** Proves credentials, permissions and the queue itself before anything changes (GetQueueAttributes). */
  check(): Promise<void>;
  /** The queue's access policy (JSON), undefined when it has none; optional, for `doctor`. */
  policy?(): Promise<string | undefined>;
  receive(options: ReceiveOptions): Promise<QueueMessage[]>;
  /** Only after what the message carries is safely stored. */
  delete(message: QueueMessage): Promise<void>;
  /** Makes a message visible again at once (ChangeMessageVisibility 0): it belongs to someone else. */
  release(message: QueueMessage): Promise<void>;
  close(): void;
}
