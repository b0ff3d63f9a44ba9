export { ticketWorkflow } from './ticket.js';
export { pagingWorkflow } from './paging.js';
export { incidentWorkflow } from './incident.js';
export { incidentWatchWorkflow } from './incident-watch.js';
export { reportWorkflow } from './report.js';
