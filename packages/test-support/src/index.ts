export { type ServiceName, serviceUrl, skipUnlessService } from './services.ts';
