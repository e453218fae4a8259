#!/usr/bin/env node
// The CLI runs the TypeScript sources through tsx: no build step between a clone and a working command.
require('tsx/cjs');
require('../src/cli.ts').run();
