/**
 * The deployment SOP's rules as pure functions over plain resources: the policy pack
 * (infra/policy/index.ts) wraps them, and tests call them directly.
 */
export * from "./resource";
export * from "./sop";
export * from "./alarms";
export * from "./colourTargets";
export * from "./colourAlarms";
export * from "./listenerWeights";
export * from "./listenerTls";
export * from "./testListenerIngress";
export * from "./lambdaAlias";
export * from "./controlTable";
export * from "./kubernetesDeployment";
