"""The main menu shows only what the person may open."""

from django import template

from initiatives.permissions import is_moderator
from radar.selectors import membership_for

register = template.Library()


@register.simple_tag
def menu_for(user) -> dict:
    return {
        "institution": membership_for(user=user) is not None,
        "moderation": is_moderator(user),
    }
