#!/usr/bin/env node
'use strict';
// The operator CLI (cli/main.ts), run through tsx's CommonJS loader. tsx is a runtime dependency, so the CLI also
// works after `npm ci --omit=dev`; everything cli/ loads must be a dependency too (test/cli/dependencies.test.ts).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
require('tsx/cjs');
require('../cli/main.ts')
  .main(process.argv)
  .then((code) => {
    process.exitCode = code;
  });
