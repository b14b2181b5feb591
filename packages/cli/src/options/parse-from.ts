import { isPosition, type Position } from '@duet/core';
import { InvalidArgumentError } from 'commander';

/** Where `events tail` starts: a position token, the very start, or the current end. */
export type TailStart = Position | 'start' | 'end';

/** A commander parser for `--from <position|start|end>`. */
export function parseFrom(value: string): TailStart {
  if (value === 'start' || value === 'end' || isPosition(value)) return value;
  throw new InvalidArgumentError(
    "expected 'start', 'end' or a position like 00000000000002a1-0000000000000007.",
  );
}
