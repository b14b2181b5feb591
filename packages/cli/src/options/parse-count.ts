import { InvalidArgumentError } from 'commander';

/**
 * A commander argument parser for a whole number from `min` to `max` (`--limit 50`).
 *
 * @example
 * new Option('--limit <n>').argParser(parseCount(1, 1000))
 */
export function parseCount(min: number, max: number): (value: string) => number {
  return (value) => {
    const number = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(number) || number < min || number > max) {
      throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}.`);
    }
    return number;
  };
}
