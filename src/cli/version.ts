// The version printed by `dream --version`: the package's own, bundled at build time.
import { version } from '../../package.json';

export const VERSION: string = version;
