import { DuetError } from './duet-error.ts';
import { ErrorCode } from './error-code.ts';

/**
 * Personal data was about to be written for a data subject whose key was deleted: a
 * forgotten subject stays forgotten, so no new key is made for it and nothing is stored.
 *
 * @example
 * if (error instanceof PersonalDataForgottenError) reply(410, `${error.subject} was erased`);
 */
export class PersonalDataForgottenError extends DuetError {
  override readonly name = 'PersonalDataForgottenError';
  constructor(readonly subject: string) {
    super(ErrorCode.PERSONAL_DATA_FORGOTTEN, `data subject ${subject} has been forgotten`);
  }
}
