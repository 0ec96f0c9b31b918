// How the MQTT client reaches the broker: a TCP socket for mqtt://, TLS for mqtts://, and nothing
// else. The door builds the `mqtt` package's client core on this instead of the package's entry,
// which loads every transport (WebSocket, SOCKS, browser ones) and costs memory a frame never uses.
import net from 'node:net';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';

export interface BrokerAddress {
  secure: boolean;
  host: string;
  port: number;
}

/** Where mqtt.url points (settings.ts accepts only mqtt:// and mqtts:// URLs without credentials).
 * The default ports are the package's own (mqtt build/lib/connect/tcp.js: 1883, tls.js: 8883). */
export function brokerAddress(url: string): BrokerAddress {
  const u = new URL(url);
  const secure = u.protocol === 'mqtts:';
  // URL keeps an IPv6 literal in brackets; sockets want it bare.
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  return { secure, host, port: u.port === '' ? (secure ? 8883 : 1883) : Number(u.port) };
}

/** A new connection to the broker for each (re)connect of the client. TLS verifies the broker's
 * certificate and names the host for SNI unless it is an IP (as mqtt's connect/tls.js does). */
export function brokerStream(address: BrokerAddress): () => Duplex {
  const { secure, host, port } = address;
  if (!secure) return () => net.createConnection({ host, port });
  return () =>
    tls.connect({ host, port, rejectUnauthorized: true, ...(net.isIP(host) === 0 ? { servername: host } : {}) });
}
