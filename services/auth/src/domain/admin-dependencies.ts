import type { ChangeRecording } from './record-change.js';
import type { UserDirectory } from './user-directory.js';

/** What the user-administration use cases work with. */
export interface AdminDependencies extends ChangeRecording {
  readonly directory: UserDirectory;
}
