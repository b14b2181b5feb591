// The packaging check's `--config`: a TypeScript file, as `duet new` and the docs write
// them, loaded by the published CLI through tsx. Its schema is the only way the check's
// `duet streams list` finds the one it migrated, so a config that did not load fails it.
import { defineCliConfig } from '@duet/cli';

const schema: string = 'scratch';

export default defineCliConfig({ schema });
