/** An API key and who it signs in as, the shape apps give their HTTP edge (`SHOP_API_KEYS`). */
export interface LoadPrincipal {
  readonly id: string;
  readonly roles: readonly string[];
}

/** What `duet load` hands a workload before it starts timing. */
export interface LoadContext {
  /** A base URL for every service the workload names (one URL for all in a one-process app). */
  readonly urls: Readonly<Record<string, string>>;
  /** From `--api-keys` (or `DUET_API_KEYS`): key → principal; undefined when not given. */
  readonly apiKeys: Readonly<Record<string, LoadPrincipal>> | undefined;
  /** About how many units the run will start: to stock up for them. */
  readonly expectedUnits: number;
  /** The most units that may be in flight at once (clients, or rate x drain time). */
  readonly concurrency: number;
  readonly signal: AbortSignal;
  /** A line for people on stderr (set-up steps, warnings). */
  note(text: string): void;
}

/** How one unit of work (one order) ended. */
export interface LoadOutcome {
  /**
   * The outcome to count it under: the workload's success (e.g. `confirmed`), or
   * `<what>: <why>` such as `cancelled: out of stock`, `failed: HTTP 503`, `not settled`.
   */
  readonly outcome: string;
  /** False when the system never accepted the unit (e.g. PlaceOrder refused). */
  readonly accepted: boolean;
  /** Ms from acceptance until the read side showed the unit in its final state. */
  readonly settledMs?: number;
  /** Ms from acceptance until the read side first showed the unit at all. */
  readonly visibleMs?: number;
}

/** One prepared run of a workload: units are started through `run`. */
export interface LoadSession {
  /**
   * Starts unit `index` and resolves once it has settled (or `signal` aborts the wait).
   * Calls `accepted()` as soon as the system accepted it, for the live counts.
   */
  run(index: number, accepted: () => void, signal: AbortSignal): Promise<LoadOutcome>;
  /** Facts for the JSON summary (e.g. the order id prefix the run used). */
  describe(): Record<string, unknown>;
  close(): Promise<void>;
}

/**
 * A load workload an app ships in its `--config` module (`workloads: { shop }`), which
 * `duet load <name>` runs. The CLI drives the rate, the clients, progress and the summary;
 * the workload knows the app: how to set up data and what one unit of work is.
 *
 * @example
 * export const shopLoad = defineLoadWorkload({ description: 'places orders', services: ['orders'],
 *   unit: 'orders', success: 'confirmed', accepted: 'placed', prepare: async (context) => session });
 */
export interface LoadWorkload {
  readonly description: string;
  /** Services it talks to; each can get its own `--<name>-url` (else `--url` serves all). */
  readonly services: readonly string[];
  /** What one unit is, plural: `orders`. */
  readonly unit: string;
  /** The word for an accepted unit: `placed`. */
  readonly accepted: string;
  /** The outcome that counts as done end to end: `confirmed`. */
  readonly success: string;
  /** Sets up what the run needs (customers, products, stock) and returns the session. */
  prepare(context: LoadContext): Promise<LoadSession>;
}

/** Types a workload; returns it unchanged. */
export function defineLoadWorkload<const W extends LoadWorkload>(workload: W): W {
  return workload;
}
