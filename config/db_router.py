"""Public reads on a PostgreSQL read replica, everything else on the primary.

With DATABASE_REPLICA_URL set, settings add a "replica" alias (a streaming replica of the
primary, read-only) and this router sends to it the reads of the public pages and APIs
(GET and HEAD of the map, the radar, the territory profiles, the open data, the OGC and REST
APIs, the tiles) by anonymous visitors. Every write, the moderation, the private pages (the
holder's private link, the institutions' space, the admin, the contribution form), any
request of a logged-in user and everything outside a request (tasks, commands) use the
primary. Once a request has written, its later reads go to the primary too, so that it reads
what it wrote. The cache, sessions, users and tasks always live on the primary.
"""

import re
from contextvars import ContextVar

from django.db import connections

PRIMARY = "default"
REPLICA = "replica"
# Apps whose tables hold the public data; the others (cache, sessions, auth, tasks…) are
# read where they are written.
PUBLIC_APPS = {"initiatives", "territories", "radar"}
PUBLIC_PATHS = re.compile(
    r"^/(?:$|initiatives/\d+/$|radar/$|radar/territoire/|open-data/|ogc/|api/v1/|api/schema/"
    r"|tiles/)"
)
_on_replica: ContextVar[bool] = ContextVar("radar_reads_on_replica", default=False)


def has_replica() -> bool:
    return REPLICA in connections.settings


class PrimaryReplicaRouter:
    def db_for_read(self, model, **hints):
        if _on_replica.get() and model._meta.app_label in PUBLIC_APPS and has_replica():
            return REPLICA
        return PRIMARY

    def db_for_write(self, model, **hints):
        _on_replica.set(False)  # read your writes for the rest of the request
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same data on both

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY  # a replica follows the primary's schema by replication


def reads_on_replica(request) -> bool:
    """Whether this request may read the public data from the replica."""
    return (
        request.method in ("GET", "HEAD")
        and PUBLIC_PATHS.match(request.path_info) is not None
        and not request.user.is_authenticated
    )


class ReplicaReadsMiddleware:
    """Marks the request's public reads for the replica (after AuthenticationMiddleware)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _on_replica.set(has_replica() and reads_on_replica(request))
        try:
            return self.get_response(request)
        finally:
            _on_replica.reset(token)
