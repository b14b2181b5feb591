import type { AppendShape } from './append-shape.ts';

/**
 * One system under test, opened once per round (inside its own child process) and
 * asked for a session per shape.
 */
export interface AppendSystem {
  /** Sizes pools and connections for one shape. */
  openSession(shape: AppendShape): Promise<AppendSession>;
  /** Extra facts for the result line (e.g. events per transaction), after a shape ran. */
  describeShape?(prefix: string): Promise<Record<string, number | string>>;
  close(): Promise<void>;
}

export interface AppendSession {
  /**
   * Appends `events` to `stream`, expecting it at `version` (0 = no stream yet): the
   * writer tracks its own streams' versions, so no append ever conflicts.
   */
  append(
    writer: number,
    stream: string,
    version: number,
    events: { type: string; data: Record<string, unknown> }[],
  ): Promise<void>;
  close(): Promise<void>;
}
