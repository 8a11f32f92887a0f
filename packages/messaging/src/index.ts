export type {
  Bus,
  BusHeaders,
  BusLogger,
  BusMessage,
  BusOptions,
  BusSubscription,
  MessageHandler,
  PublishOptions,
  RequestOptions,
  SubscribeOptions,
} from './bus.ts';
export { DEFAULT_REQUEST_TIMEOUT_MS } from './bus.ts';
export {
  CE_HEADER_PREFIX,
  CLOUD_EVENTS_SPEC_VERSION,
  type CloudEventAttributes,
  type CloudEventInput,
  decodeCeHeaderValue,
  encodeCeHeaderValue,
} from './cloud-event.ts';
export {
  BYTES_CONTENT_TYPE,
  DEFAULT_COMPRESS_ABOVE_BYTES,
  decodeBody,
  decodeJson,
  type EncodeBodyOptions,
  type EncodedBody,
  encodeBody,
  encodeJson,
  GZIP_JSON_CONTENT_TYPE,
  gunzip,
  gzip,
  JSON_CONTENT_TYPE,
} from './codec.ts';
export { type ConnectionWatch, watchConnection } from './connection-watch.ts';
export {
  BusClosedError,
  BusCodecError,
  BusError,
  BusTimeoutError,
  InvalidSubjectError,
  NoRespondersError,
} from './errors.ts';
export { createInProcessBus, type InProcessBusOptions } from './in-process-bus.ts';
export { connectNatsBus, type NatsBusOptions } from './nats-bus.ts';
export { silentBusLogger } from './silent-logger.ts';
export {
  DACHA_EDGE_QUEUE,
  DEFAULT_CACHE_NAME,
  EDGE_STATS_SUBJECT,
  ENRICHED_EVENTS_SUBJECT,
  ENRICHER_QUEUE,
  type EventType,
  eventSubjects,
  eventTypes,
  type FeatureHubSubjects,
  featureHubSubjects,
  MR_CACHE_QUEUE,
  MR_UPDATES_QUEUE,
  MR_UPDATES_SUBJECT,
} from './subjects.ts';
