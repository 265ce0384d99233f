/*
 * The fixture workspace the e2e tests open (test/fixtures/e2e: made-up "acme" patch mails). It is
 * copied to a scratch folder for every run: the suite changes settings and edits documents, and
 * the repository's copy must stay as it is.
 *
 *   acme-migrate.patch     v1 of a patch with defects the suite expects diagnostics for
 *   acme-migrate-v2.patch  v2 of the same patch with the defects fixed (no warning or error on
 *                          the kernel its date implies)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export const FIXTURE_WORKSPACE = path.resolve(__dirname, '..', 'fixtures', 'e2e');

/** Copies the fixture workspace to `dest` (created); returns `dest`. */
export function copyWorkspace(dest: string): string {
	fs.mkdirSync(dest, { recursive: true });
	fs.cpSync(FIXTURE_WORKSPACE, dest, { recursive: true });
	return dest;
}
