/** Workflow ids from domain ids, shared by the workflows (no Node imports here) and the clients. */
export const ticketWorkflowId = (ticketId: string) => `ticket-${ticketId}`;
export const incidentWorkflowId = (incidentId: string) => `incident-${incidentId}`;
