import { userInfo } from 'node:os';

/**
 * Who runs this command, recorded as who paused a projection: the OS user, else $USER /
 * $USERNAME (`userInfo` throws for a uid without a passwd entry, as in some containers).
 */
export function operatorName(
  env: Readonly<Record<string, string | undefined>>,
): string | undefined {
  try {
    return userInfo().username;
  } catch {
    return env.USER ?? env.USERNAME;
  }
}
