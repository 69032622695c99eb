import type { GlobalOptions, Io } from './context.js';
import { InternalError } from '../errors.js';

export async function run(_global: GlobalOptions, _opts: Record<string, unknown>, _io: Io): Promise<number> {
  throw new InternalError('import is not implemented yet');
}
