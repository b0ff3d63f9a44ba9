export { ticketWorkflow } from './ticket.js';
