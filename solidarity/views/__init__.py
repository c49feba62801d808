"""Pages of solidarity transport, one module per audience: `operators` (the dispatch board,
beneficiaries, requests with ranked volunteers, receipts, volunteers to accept), `structures`
(structures, operators, purposes and needs), `volunteers` (the volunteers' phone page and
availability), `beneficiaries` (a person asking online), `conversation` (operators and the
assigned volunteer talking); `common` holds what they share. Thin views: services write,
selectors read. This package re-exports nothing."""
