/* The node entry of the language server: a connection over the transport the client chose (--node-ipc, --stdio, --socket). */
import { ProposedFeatures, createConnection } from 'vscode-languageserver/node';
import { startServer } from './server';

startServer(createConnection(ProposedFeatures.all));
