"""Who may moderate."""

MODERATORS_GROUP = "moderators"


def is_moderator(user) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.groups.filter(name=MODERATORS_GROUP).exists())
    )
