/** The project's component resources, one per file. */
export * from "./albBlueGreen";
export * from "./albColourAlarms";
export * from "./ecsBlueGreenService";
export * from "./lambdaBlueGreen";
export * from "./lambdaColourAlarms";
export * from "./colourCompositeAlarm";
export * from "./gatewayWeightedRoute";
export * from "./kubernetesBlueGreen";
export * from "./targetGroupBindings";
export * from "./controlTable";
export * from "./rolloutGuardian";
