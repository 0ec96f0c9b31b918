// What the broker should hold for this frame, topic by topic (all of it retained state: discovery
// configs, availability, sensors, the glass), and the sending of it. Only the latest value of a topic
// is kept, and a topic has at most one message in flight: however long the broker is away or slow,
// memory holds one payload per topic and a reconnect sends each once.
export type Send = (topic: string, payload: Buffer, done: (err?: Error) => void) => void;

interface Entry {
  payload: Buffer;
  /** Changed since it was last handed to the broker (or the broker has not seen it since it connected). */
  dirty: boolean;
  inFlight: boolean;
}

export class Outbox {
  private readonly entries = new Map<string, Entry>();
  private send: Send | null = null;

  /** The value the broker should hold for `topic`; a value equal to the last one is no news. */
  put(topic: string, payload: Buffer | string): void {
    const bytes = typeof payload === 'string' ? Buffer.from(payload) : payload;
    const entry = this.entries.get(topic);
    if (entry && entry.payload.equals(bytes)) return;
    if (entry) {
      entry.payload = bytes;
      entry.dirty = true;
    } else this.entries.set(topic, { payload: bytes, dirty: true, inFlight: false });
    this.flush(topic);
  }

  /** Connected: everything goes (again: a restarted broker may have lost its retained messages). */
  online(send: Send): void {
    this.send = send;
    for (const entry of this.entries.values()) {
      entry.dirty = true;
      entry.inFlight = false;
    }
    for (const topic of this.entries.keys()) this.flush(topic);
  }

  /** Send these topics again (Home Assistant came online and asks for its configs). */
  resend(filter: (topic: string) => boolean): void {
    for (const [topic, entry] of this.entries) {
      if (!filter(topic)) continue;
      entry.dirty = true;
      this.flush(topic);
    }
  }

  /** Hold nothing for `topic` any more (a value gone stale that is not worth sending on reconnect). */
  drop(topic: string): void {
    this.entries.delete(topic);
  }

  offline(): void {
    this.send = null;
  }

  /** Bytes held (the bench and the tests read it: bounded by the number of topics). */
  get heldBytes(): number {
    let n = 0;
    for (const e of this.entries.values()) n += e.payload.length;
    return n;
  }

  get pending(): number {
    let n = 0;
    for (const e of this.entries.values()) if (e.dirty || e.inFlight) n++;
    return n;
  }

  private flush(topic: string): void {
    const entry = this.entries.get(topic);
    const send = this.send;
    if (!entry || !send || !entry.dirty || entry.inFlight) return;
    entry.dirty = false;
    entry.inFlight = true;
    send(topic, entry.payload, (err) => {
      if (this.send !== send) return; // a new connection owns the entry now
      entry.inFlight = false;
      if (err) entry.dirty = true;
      else this.flush(topic);
    });
  }
}
