import { defineCommandHandler } from '@duet/core';
import { orderCommands } from './order-commands.ts';
import { orderDecider } from './order-decider.ts';

/** Routes every order command to the order's own stream, `order-<orderId>`. */
export const orderHandler = defineCommandHandler({
  decider: orderDecider,
  commands: orderCommands,
  stream: (command) => `order-${command.data.orderId}`,
  snapshot: { version: 1, every: 50 },
});
