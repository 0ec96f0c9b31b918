// Home Assistant's documented MQTT discovery schema, per platform, as the tests check our configs
// against it: the keys each platform documents ("Configuration Variables"), which of them are
// required, and the device and availability blocks they share. Facts from the Home Assistant docs
// (github.com/home-assistant/home-assistant.io, source/_integrations/):
//   image.mqtt.markdown (045f4e6): image_topic and url_topic "required: exclusive" (one of them), content_type
//     default image/jpeg, json_attributes_topic;
//   button.mqtt.markdown (03048e0): command_topic, payload_press (default PRESS);
//   switch.mqtt.markdown (04c35f1): command_topic, payload_on/off, state_on/off, state_topic, value_template;
//   sensor.mqtt.markdown (035b814): state_topic "required: true", device_class, unit_of_measurement;
//   binary_sensor.mqtt.markdown (04987cb): state_topic "required: true", payload_on/off default ON/OFF;
//   mqtt.markdown (00db44a), "Discovery payload": "All configuration variables which are required must be
//     present in the payload", unknown keys "are allowed but ignored"; "Discovery topic": node_id and
//     object_id only [a-zA-Z0-9_-]; device registry keys: configuration_url, connections, identifiers, name,
//     manufacturer, model, hw_version, sw_version, suggested_area (and via_device, per platform page).
// Keys added to the docs after those versions (state_class, entity_category, origin) are listed with
// their pages: sensor.mqtt (state_class), every platform (entity_category, enabled_by_default), mqtt.markdown
// "Discovery payload" (origin: name required, sw_version, support_url).

const COMMON = [
  'availability',
  'availability_mode',
  'availability_template',
  'availability_topic',
  'device',
  'enabled_by_default',
  'entity_category',
  'icon',
  'json_attributes_template',
  'json_attributes_topic',
  'name',
  'object_id',
  'origin',
  'payload_available',
  'payload_not_available',
  'qos',
  'unique_id',
];

export interface PlatformSchema {
  /** Keys that must be present. */
  required: string[];
  /** Groups of which exactly one must be present (HA's "required: exclusive"). */
  exclusive?: string[][];
  documented: Set<string>;
}

export const HA_PLATFORMS: Record<string, PlatformSchema> = {
  image: {
    required: [],
    exclusive: [['image_topic', 'url_topic']],
    documented: new Set([
      ...COMMON,
      'content_type',
      'encoding',
      'image_encoding',
      'image_topic',
      'url_template',
      'url_topic',
    ]),
  },
  button: {
    required: [],
    documented: new Set([...COMMON, 'command_template', 'command_topic', 'device_class', 'payload_press', 'retain']),
  },
  switch: {
    required: [],
    documented: new Set([
      ...COMMON,
      'command_topic',
      'device_class',
      'optimistic',
      'payload_off',
      'payload_on',
      'retain',
      'state_off',
      'state_on',
      'state_topic',
      'value_template',
    ]),
  },
  sensor: {
    required: ['state_topic'],
    documented: new Set([
      ...COMMON,
      'device_class',
      'expire_after',
      'force_update',
      'state_class',
      'state_topic',
      'unit_of_measurement',
      'value_template',
    ]),
  },
  binary_sensor: {
    required: ['state_topic'],
    documented: new Set([
      ...COMMON,
      'device_class',
      'expire_after',
      'force_update',
      'off_delay',
      'payload_off',
      'payload_on',
      'state_topic',
      'value_template',
    ]),
  },
};

export const DEVICE_KEYS = new Set([
  'configuration_url',
  'connections',
  'hw_version',
  'identifiers',
  'manufacturer',
  'model',
  'name',
  'suggested_area',
  'sw_version',
  'via_device',
]);

export const AVAILABILITY_KEYS = new Set(['payload_available', 'payload_not_available', 'topic', 'value_template']);
export const HA_ID = /^[a-zA-Z0-9_-]+$/;

/** Every way a discovery config breaks HA's documented schema for its platform, as lines (none = valid). */
export function schemaProblems(component: string, payload: Record<string, unknown>): string[] {
  const schema = HA_PLATFORMS[component];
  if (!schema) return [`${component} is not a platform we check`];
  const out: string[] = [];
  for (const key of Object.keys(payload))
    if (!schema.documented.has(key)) out.push(`${component}: ${key} is not documented`);
  for (const key of schema.required) if (payload[key] === undefined) out.push(`${component}: ${key} is required`);
  for (const group of schema.exclusive ?? []) {
    const present = group.filter((k) => payload[k] !== undefined);
    if (present.length !== 1) out.push(`${component}: exactly one of ${group.join(', ')}, got ${present.length}`);
  }
  for (const [key, value] of Object.entries(payload))
    if (key.endsWith('_topic') && (typeof value !== 'string' || /[#+]/.test(value) || value === ''))
      out.push(`${component}: ${key} must be a topic without wildcards`);
  // The device block only works with a unique_id, and needs identifiers or connections.
  if (typeof payload.unique_id !== 'string' || payload.unique_id === '') out.push(`${component}: no unique_id`);
  const device = payload.device as Record<string, unknown> | undefined;
  if (!device) out.push(`${component}: no device block`);
  else {
    for (const key of Object.keys(device)) if (!DEVICE_KEYS.has(key)) out.push(`device: ${key} is not documented`);
    if (!Array.isArray(device.identifiers) || device.identifiers.length === 0)
      out.push('device: identifiers must be a non-empty list');
    const url = device.configuration_url;
    if (url !== undefined && (typeof url !== 'string' || !/^(https?|homeassistant):\/\//.test(url)))
      out.push('device: configuration_url must be http://, https:// or homeassistant://');
  }
  const availability = payload.availability as Array<Record<string, unknown>> | undefined;
  if (!Array.isArray(availability) || availability.length === 0) out.push(`${component}: no availability list`);
  else
    for (const item of availability) {
      if (typeof item.topic !== 'string') out.push('availability: topic is required');
      for (const key of Object.keys(item))
        if (!AVAILABILITY_KEYS.has(key)) out.push(`availability: ${key} is not documented`);
    }
  if (payload.availability_topic !== undefined && payload.availability !== undefined)
    out.push(`${component}: availability and availability_topic must not be used together`);
  const origin = payload.origin as Record<string, unknown> | undefined;
  if (origin !== undefined && typeof origin.name !== 'string') out.push('origin: name is required');
  return out;
}
