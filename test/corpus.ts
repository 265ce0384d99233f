/*
 * Where the shared corpus lives. Tests read the real mails from there; they are never copied into the repo.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The corpus root: $MIGRATE_LENS_CORPUS, else ../shared/corpus beside the checkout. */
export const corpusRoot: string = process.env.MIGRATE_LENS_CORPUS
	?? path.resolve(__dirname, '..', '..', 'shared', 'corpus');

export const haveCorpus: boolean = fs.existsSync(path.join(corpusRoot, 'mail'));

/** Absolute paths of the files in a corpus folder (`mail`, `seeds`, `bulk`), sorted. */
export function corpusFiles(folder: string): string[] {
	const dir = path.join(corpusRoot, folder);
	if (!fs.existsSync(dir)) {
		return [];
	}
	return fs.readdirSync(dir).sort().map((f) => path.join(dir, f));
}

/** Reads a corpus file as the editor would show it: UTF-8, with invalid bytes replaced. */
export function readCorpus(folder: string, name: string): string {
	return fs.readFileSync(path.join(corpusRoot, folder, name), 'utf8');
}
