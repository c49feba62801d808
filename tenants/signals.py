"""What the geographic referential announces to the apps above it (docs/ARCHITECTURE.md §6):
`areas_loaded` after `load_communes` or `load_areas` wrote areas (the place index of each road
graph keeps its communes in step)."""

from django.dispatch import Signal

areas_loaded = Signal()
