"""Pages for rides (routes in trips/urls.py), thin: services do the writing, selectors the
reading. One module per use case:

- `trips.views.search`: the search page (home);
- `trips.views.places`: what the place pickers ask (names, map points, the road outline);
- `trips.views.rides`: publishing a ride, its page (booking it), changing and cancelling it;
- `trips.views.bookings`: my trips and what either side does with a booking;
- `trips.views.conversation`: a booking's conversation (`conversation_page`);
- `trips.views.alerts`: saved searches."""
