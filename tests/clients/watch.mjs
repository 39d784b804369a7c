// Prints every change of the catalog as it happens: the graphql-ws client
// subscribed to catalogChanged. Usage: node watch.mjs [http://HOST:PORT/graphql]
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const url = (process.argv[2] ?? 'http://127.0.0.1:8080/graphql').replace(/^http/, 'ws');
const client = createClient({ url, webSocketImpl: WebSocket });
console.error(`watching ${url}; make a change and it shows here (Ctrl-C to stop)`);
client.subscribe(
  { query: 'subscription { catalogChanged { version updatedAt changedSkills } }' },
  {
    next: (event) => console.log(JSON.stringify(event.data.catalogChanged)),
    error: (error) => {
      console.error(JSON.stringify(error));
      process.exit(1);
    },
    complete: () => process.exit(0),
  },
);
