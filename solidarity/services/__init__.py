"""Writes for solidarity transport, in the territory's schema, one module per use case:
`structures` (structures, their operators, purposes and needs), `beneficiaries` (eligibility,
registration, erasure), `volunteers` (applying, being accepted, availability, absences),
`requests` (a request from its creation to its end: closed, cancelled or unmet) and `dispatch`
(proposals to volunteers, the assignment from acceptance to the trip driven); `checks` holds
what they all check first.

Field problems raise ValidationError (400), state and permission problems Conflict (409) or
PermissionDenied (403). Every change of a request is written to its diary in the same
transaction. Import the module you need (`from solidarity.services import dispatch`): this
package re-exports nothing."""
