import type { GlobalOptions, Io } from './context.js';
import { InternalError } from '../errors.js';

export async function run(_global: GlobalOptions, _io: Io): Promise<number> {
  throw new InternalError('validate is not implemented yet');
}
