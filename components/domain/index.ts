/**
 * The domain: colours, the traffic split and its conversions, plans, the stack-outputs contract,
 * and the rules AWS and Kubernetes enforce. It imports nothing from the project, so the components
 * (which must validate their args when used on their own), the config schema, the program and the
 * driver all share it.
 */
export * from "./echo";
export * from "./outputs";
export * from "./rules";
export * from "./traffic";
export * from "./controlTable";
export * from "./guardian";
export * from "./idle";
