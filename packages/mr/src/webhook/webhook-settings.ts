import { BadRequestError } from '@fh/service-kit';
import { encryptSettings, type SecretBox } from '../system-config/secret-box.ts';
import { isHttpUrl } from '../system-config/system-config-service.ts';
import { WEBHOOK_ENDPOINT } from './webhook-enqueuer.ts';

/**
 * An environment's webhook settings as they are saved: the endpoint must be an http(s) URL, and the keys
 * listed in `*.encrypt` are sealed (ciphertext and salt kept beside them, the value masked).
 */
export function sealWebhookInfo(
  box: SecretBox,
  merged: Record<string, string>,
  current: Record<string, string>,
): Record<string, string> {
  const endpoint = merged[WEBHOOK_ENDPOINT];
  const changed = endpoint !== current[WEBHOOK_ENDPOINT];
  if (changed && endpoint !== undefined && endpoint !== '' && !isHttpUrl(endpoint)) {
    throw new BadRequestError(`${WEBHOOK_ENDPOINT} must be an http(s) URL, not ${JSON.stringify(endpoint)}`);
  }
  return encryptSettings(box, merged, current);
}
