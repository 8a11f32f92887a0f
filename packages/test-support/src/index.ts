export { type ServiceName, serviceUrl, skipUnlessService } from './services.ts';
export { type RunningRole, repoRoot, runRoleToExit, startRole } from './processes.ts';
