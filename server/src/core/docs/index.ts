/*
 * Stage 6: hover documentation for the API identifiers (our own words; versions from
 * model/versions.ts). Rule documentation lives in docs/rules/<id>.md and is read by the node side
 * (server/src/ruleDocs.ts).
 */
export * from './apiDocs';
export * from './render';
