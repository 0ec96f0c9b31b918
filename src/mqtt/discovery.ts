// Home Assistant MQTT discovery: one device per frame and its entities (the glass as an image, the
// buttons, the pause switch, the sensors), each a retained config on
// <prefix>/<component>/<node_id>/<object_id>/config. The keys are HA's documented ones per platform
// (home-assistant.io source/_integrations/{image,button,switch,sensor,binary_sensor}.mqtt.markdown,
// "Configuration Variables"); the device block and availability are the ones every platform shares.
import type { FrameFeatures } from './frame-state.js';
import type { FrameTopics } from './topics.js';

export interface DeviceFacts {
  name: string;
  /** The panel, as its vendor names it. */
  model: string;
  swVersion: string;
  /** The frame's page, when it has one. */
  configurationUrl: string | null;
}

export type Component = 'image' | 'button' | 'switch' | 'sensor' | 'binary_sensor';

export interface DiscoveryConfig {
  component: Component;
  objectId: string;
  topic: string;
  payload: Record<string, unknown>;
}

/** A sensor reading one key of the state object: `{{ value_json.KEY }}` renders a JSON null as "None", which HA's
 * MQTT sensor takes as unknown. */
const valueOf = (key: string) => `{{ value_json.${key} }}`;

export function discoveryConfigs(topics: FrameTopics, device: DeviceFacts, features: FrameFeatures): DiscoveryConfig[] {
  const common = {
    // availability: a list of topics with online/offline (the documented defaults).
    availability: [{ topic: topics.availability }],
    device: {
      identifiers: [topics.nodeId],
      name: device.name,
      manufacturer: 'artframe-immich',
      model: device.model,
      sw_version: device.swVersion,
      ...(device.configurationUrl ? { configuration_url: device.configurationUrl } : {}),
    },
    // Who published the config (HA's discovery "origin" block; unknown keys are ignored by older HA).
    origin: { name: 'artframe-immich', sw_version: device.swVersion },
  };
  const entity = (component: Component, objectId: string, fields: Record<string, unknown>): DiscoveryConfig => ({
    component,
    objectId,
    topic: topics.discovery(component, objectId),
    payload: { ...fields, unique_id: `${topics.nodeId}_${objectId}`, ...common },
  });
  const button = (objectId: string, name: string, press: string, icon: string) =>
    entity('button', objectId, { name, command_topic: topics.command, payload_press: press, icon });
  const sensor = (objectId: string, name: string, key: string, extra: Record<string, unknown> = {}) =>
    entity('sensor', objectId, { name, state_topic: topics.state, value_template: valueOf(key), ...extra });
  const binary = (objectId: string, name: string, key: string, extra: Record<string, unknown> = {}) =>
    entity('binary_sensor', objectId, { name, state_topic: topics.state, value_template: valueOf(key), ...extra });
  const diagnostic = { entity_category: 'diagnostic' };

  const out: DiscoveryConfig[] = [
    entity('image', 'glass', {
      name: 'Glass',
      image_topic: topics.image,
      content_type: 'image/png',
      json_attributes_topic: topics.photo,
    }),
    button('next', 'Next photo', 'next', 'mdi:skip-next'),
    button('previous', 'Previous photo', 'previous', 'mdi:skip-previous'),
    button('sync', 'Sync now', 'sync', 'mdi:sync'),
    // One command topic: payload_on/off are what the switch sends; state_on/off what it reads back.
    entity('switch', 'paused', {
      name: 'Paused',
      command_topic: topics.command,
      payload_on: 'pause',
      payload_off: 'resume',
      state_topic: topics.state,
      value_template: "{{ 'ON' if value_json.paused else 'OFF' }}",
      state_on: 'ON',
      state_off: 'OFF',
      icon: 'mdi:pause',
    }),
    sensor('photo', 'Photo', 'photo', { json_attributes_topic: topics.photo, icon: 'mdi:image' }),
    sensor('last_refresh', 'Last refresh', 'last_refresh', { device_class: 'timestamp' }),
    sensor('next_refresh', 'Next refresh', 'next_refresh', { device_class: 'timestamp' }),
    sensor('last_sync', 'Last sync', 'last_sync', { device_class: 'timestamp' }),
    sensor('last_sync_result', 'Last sync result', 'last_sync_result', { icon: 'mdi:cloud-sync' }),
    sensor('photos', 'Photos in library', 'photos', {
      state_class: 'measurement',
      unit_of_measurement: 'photos',
      icon: 'mdi:image-multiple',
    }),
    sensor('photos_failed', 'Photos failed', 'photos_failed', {
      state_class: 'measurement',
      unit_of_measurement: 'photos',
      icon: 'mdi:image-broken',
      ...diagnostic,
    }),
    sensor('disk_free', 'Disk free', 'disk_free_mb', {
      device_class: 'data_size',
      unit_of_measurement: 'MB',
      state_class: 'measurement',
      ...diagnostic,
    }),
    binary('server_reachable', 'Server reachable', 'server_reachable', {
      device_class: 'connectivity',
      ...diagnostic,
    }),
    binary('panel_answering', 'Panel answering', 'panel_answering', { icon: 'mdi:monitor', ...diagnostic }),
  ];
  if (features.cpuTemperature)
    out.push(
      sensor('cpu_temperature', 'CPU temperature', 'cpu_temperature', {
        device_class: 'temperature',
        unit_of_measurement: '°C',
        state_class: 'measurement',
        ...diagnostic,
      }),
    );
  if (features.battery)
    out.push(
      sensor('battery', 'Battery', 'battery_level', {
        device_class: 'battery',
        unit_of_measurement: '%',
        state_class: 'measurement',
      }),
      binary('battery_charging', 'Charging', 'battery_charging', { device_class: 'battery_charging' }),
    );
  return out;
}

/** Every entity this door may ever announce, so one that went away (a battery board removed) is deleted. */
export function allDiscoveryTopics(topics: FrameTopics, device: DeviceFacts): string[] {
  return discoveryConfigs(topics, device, { cpuTemperature: true, battery: true }).map((c) => c.topic);
}
