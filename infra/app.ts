#!/usr/bin/env node
import { buildApp } from './build-app';
import { ConfigError } from './config';

try {
  buildApp().synth();
} catch (error) {
  // Bad configuration is the user's to fix: show what to change, not a stack trace.
  if (!(error instanceof ConfigError)) throw error;
  console.error(`Configuration error (cdk.json context or -c key=value):\n${error.message}`);
  process.exitCode = 1;
}
