"""What `members` announces to the apps above it: the two halves of the right to take one's
data and leave (tenants/members/portability.py). Both are sent inside a territory's schema,
once per territory the person belongs to, with `user`.

- `personal_data_requested`: each receiver returns a dict of sections (name → JSON-ready
  list or dict) of what its app holds about the person here; the sections are merged.
- `member_leaving`: the person's account is being deleted; each receiver ends or erases what
  its app holds about them here (cancels rides still to come, deletes alerts…), inside the
  deletion's transaction.
"""

from django.dispatch import Signal

personal_data_requested = Signal()
member_leaving = Signal()
