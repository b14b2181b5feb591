import { type StreamName, streamName } from '@duet/core';

/**
 * The stream that holds one customer's events: `customer-<customerId>`.
 *
 * @example
 * customerStream('ada'); // 'customer-ada'
 * defineCommandHandler({ decider: customerDecider, commands: customerStreamCommands, stream: (c) => customerStream(c.data.customerId) });
 */
export function customerStream(customerId: string): StreamName {
  return streamName('customer', customerId);
}
