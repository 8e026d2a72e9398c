"""The radar's pages, by audience: `pages` for everyone (the radar, a territory's profile),
`institutions` for members of an institution (their space, follows, support offers),
`answers` for an initiative's holder (answering an offer). No view changes an initiative:
institutions offer, holders decide."""
