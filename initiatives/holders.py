"""The holder of an initiative: whoever opened its private link in this browser session.

The private link's view trades the token for the session (the token then leaves the address
bar); the session keeps only the token's hash, so rotating the token ends old sessions too.
"""

from initiatives.models import Initiative
from initiatives.selectors import initiative_holding_token

HOLDER_SESSION_KEY = "initiative_holder"


def held_initiative(request) -> Initiative | None:
    held = request.session.get(HOLDER_SESSION_KEY) or {}
    initiative = initiative_holding_token(token_hash=held.get("hash", ""))
    if initiative is None or initiative.pk != held.get("id"):
        return None
    return initiative
