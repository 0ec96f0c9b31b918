// Where one frame's messages live on the broker: its own topics under base_topic, the group topic
// every frame obeys, and Home Assistant's discovery and status topics. One place, so the discovery
// configs and the door cannot disagree about a topic.
import type { MqttSettings } from './settings.js';

export interface FrameTopics {
  nodeId: string;
  base: string;
  /** "online" / "offline", retained; the last will says "offline" for a frame that vanished. */
  availability: string;
  /** Commands for this frame: a word (next, previous, sync, pause, resume) or JSON {"type": "show", "photo": id}. */
  command: string;
  /** The group topic: next, previous, sync, pause and resume for every frame at once. */
  group: string;
  /** The frame's sensors as one JSON object, retained. */
  state: string;
  /** The photo on the glass: who, when, where, a link into Immich (JSON attributes), retained. */
  photo: string;
  /** The PNG of the glass, retained. */
  image: string;
  /** Home Assistant's birth and last will ("online" / "offline"). */
  haStatus: string;
  discovery(component: string, objectId: string): string;
}

export function frameTopics(settings: MqttSettings, nodeId: string): FrameTopics {
  const base = settings.base_topic || `artframe/${nodeId}`;
  const prefix = settings.discovery_prefix;
  return {
    nodeId,
    base,
    availability: `${base}/availability`,
    command: `${base}/command`,
    group: settings.group_topic,
    state: `${base}/state`,
    photo: `${base}/photo`,
    image: `${base}/image`,
    haStatus: `${prefix}/status`,
    // <discovery_prefix>/<component>/[<node_id>/]<object_id>/config (HA docs, mqtt.markdown, "Discovery topic").
    discovery: (component, objectId) => `${prefix}/${component}/${nodeId}/${objectId}/config`,
  };
}
