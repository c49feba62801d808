"""What the observatory asks the apps above it (docs/ARCHITECTURE.md, "Lower floors announce,
higher floors listen").

- `journey_incentives` is sent while a journey's registry payload is built, with `journey`;
  each receiver returns a list of the contract's `incentives` items (incentives: the campaigns'
  amounts), which the payload carries re-indexed in the order received.
"""

from django.dispatch import Signal

journey_incentives = Signal()
