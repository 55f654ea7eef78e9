#!/usr/bin/env -S npx tsx
/** Encrypt / decrypt / re-key PII columns in place: see client/src/migration/pii-migrate-command.ts and docs/field-encryption.md. */
import { runPiiMigrateCommand } from '../src/migration/pii-migrate-command';

void runPiiMigrateCommand();
