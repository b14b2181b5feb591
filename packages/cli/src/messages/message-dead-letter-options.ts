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

/**
 * Opens the NATS transport the dead letters are in; a broker that is not there is exit 4.
 * A server with users (docs/nats.md) takes `NATS_USER` and `NATS_PASSWORD` from the
 * environment (never from the command line), replies on `_INBOX_<user>` unless
 * `NATS_INBOX_PREFIX` says otherwise, and `NATS_TENANT_SUBJECTS=true` puts tenants in the
 * subjects `retry` publishes on.
 */
export async function openMessageTransport(
  options: MessageDeadLetterOptions,
  env: Readonly<Record<string, string | undefined>> = {},
): Promise<NatsTransport> {
  const user = env.NATS_USER || undefined;
  const password = env.NATS_PASSWORD || undefined;
  try {
    return await openNatsTransport({
      servers: options.nats!,
      ...(user && password
        ? { user, password, inboxPrefix: env.NATS_INBOX_PREFIX || `_INBOX_${user}` }
        : {}),
      tenantSubjects: env.NATS_TENANT_SUBJECTS === 'true',
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
