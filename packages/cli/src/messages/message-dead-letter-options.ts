import { TransportConfigError, UnavailableError } from '@duet/core';
import { type NatsTransport, openNatsTransport } from '@duet/nats';
import { CliError } from '../cli-error.ts';
import { ExitCode } from '../exit-code.ts';

/** The options that point `duet dead-letters` at a broker's dead letters instead of projections'. */
export interface MessageDeadLetterOptions {
  readonly nats?: string;
  readonly consumer?: string;
  readonly deadLetterStream?: string;
  readonly deadLetterPrefix?: string;
}

/** Opens the NATS transport the dead letters are in; a broker that is not there is exit 4. */
export async function openMessageTransport(
  options: MessageDeadLetterOptions,
): Promise<NatsTransport> {
  try {
    return await openNatsTransport({
      servers: options.nats!,
      deadLetters: {
        ...(options.deadLetterStream ? { stream: options.deadLetterStream } : {}),
        ...(options.deadLetterPrefix ? { subjectPrefix: options.deadLetterPrefix } : {}),
      },
    });
  } catch (error) {
    if (error instanceof UnavailableError || error instanceof TransportConfigError) {
      throw new CliError(
        ExitCode.unavailable,
        error.message,
        'start nats-server with -js, or pass the right --nats URL',
        { cause: error },
      );
    }
    throw error;
  }
}
