from django import template

from radar import selectors

register = template.Library()


@register.simple_tag
def public_support_for(initiative):
    """Accepted support that the holder agreed to show (used by the public initiative page)."""
    return list(selectors.public_support_for(initiative=initiative))


@register.simple_tag
def support_offers_for(initiative):
    """Every offer made to an initiative: for its holder's private page only."""
    return list(selectors.offers_for_initiative(initiative=initiative))


@register.simple_tag
def institution_membership(user):
    """The person's institution membership, or None (offers of support are theirs to make)."""
    if not user.is_authenticated:
        return None
    return selectors.membership_for(user=user)
