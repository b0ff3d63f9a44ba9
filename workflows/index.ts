export { ticketWorkflow } from './ticket.js';
export { pagingWorkflow } from './paging.js';
