"""The map a municipality puts on its own website: /integrer/ builds the snippet, and
/integrer/carte/ is the page it frames — the only page of the site that may be framed
(settings.EMBED_FRAME_ANCESTORS). That page sets no cookie (no session, no CSRF token, no
language form), keeps its list without JavaScript and opens every link outside the frame."""

from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.utils.csp import CSP
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET

from initiatives import choices
from initiatives.forms import MapFilterForm, TerritoryChoiceField
from initiatives.selectors import InitiativeFilters, initiatives_matching
from territories.selectors import territory_extent

EMBED_PAGE_SIZE = 20
HEIGHTS = (300, 1200)
DEFAULT_HEIGHT = 500


class EmbedForm(forms.Form):
    """What the webmaster chooses: a territory, themes, the frame's height."""

    territory = TerritoryChoiceField(label=_("Territory shown"), required=False)
    theme = forms.MultipleChoiceField(
        label=_("Themes (none: all of them)"),
        choices=choices.Theme.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    height = forms.IntegerField(
        label=_("Height of the frame, in pixels"),
        min_value=HEIGHTS[0],
        max_value=HEIGHTS[1],
        initial=DEFAULT_HEIGHT,
        required=False,
    )

    def embed_query(self) -> str:
        """The framed page's query string for the valid choices."""
        data = self.cleaned_data
        query = []
        if data.get("territory"):
            query.append(("territory", data["territory"].code))
        query += [("theme", theme) for theme in data.get("theme", ())]
        return urlencode(query)

    def snippet(self) -> str:
        data = self.cleaned_data
        query = self.embed_query()
        src = settings.SITE_URL + reverse("initiatives:embed-map") + (f"?{query}" if query else "")
        territory = data.get("territory")
        title = (
            _("Collaborative initiatives in %(place)s") % {"place": territory.name}
            if territory
            else _("Map of collaborative initiatives")
        )
        height = data.get("height") or DEFAULT_HEIGHT
        return (
            f'<iframe src="{_attribute(src)}" title="{_attribute(title)}" width="100%" '
            f'height="{height}" style="border:0;max-width:100%" loading="lazy"></iframe>'
        )


def _attribute(text: str) -> str:
    return escape(str(text))


@require_GET
def embed_builder(request):
    form = EmbedForm(request.GET or {"height": DEFAULT_HEIGHT})
    valid = form.is_valid()
    height = form.cleaned_data.get("height") or DEFAULT_HEIGHT
    context = {"form": form, "snippet": form.snippet() if valid else "", "height": height}
    return render(request, "initiatives/embed_builder.html", context, status=200 if valid else 400)


def _frame_ancestors() -> dict:
    # Django's CSP middleware reads the response's _csp_config (what csp_override sets); it is
    # built per request so that the setting is read when the page is served.
    return {**settings.SECURE_CSP, "frame-ancestors": settings.EMBED_FRAME_ANCESTORS or [CSP.NONE]}


@require_GET
@xframe_options_exempt
def embed_map(request):
    response = _embed_map(request)
    response._csp_config = _frame_ancestors()
    return response


def _embed_map(request):
    form = MapFilterForm(request.GET)
    filters = form.filters()
    initiatives = initiatives_matching(filters=filters).only(
        "id",
        "name",
        "short_description",
        "themes",
        "is_synthetic",
        "territory__name",
        # the "to be confirmed" badge reads them
        "created_at",
        "last_confirmed_at",
    )
    page = Paginator(initiatives, EMBED_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    extent = territory_extent(territory=filters.territory) if filters.territory else None
    context = {
        "filters": filters,
        "page": page,
        "query": query.urlencode(),
        "tile_query": _tile_query(filters),
        "bounds": ",".join(f"{value:.5f}" for value in extent) if extent else "",
        "labels": choices.choice_labels(),
        "site_url": settings.SITE_URL,
    }
    return render(request, "initiatives/embed_map.html", context)


def _tile_query(filters: InitiativeFilters) -> str:
    """The map tiles' query string for the valid filters only (the list shows an invalid one
    with its error; the tiles would refuse it)."""
    query = []
    if filters.text:
        query.append(("q", filters.text))
    if filters.territory:
        query.append(("territory", filters.territory.code))
    query += [("theme", value) for value in filters.themes]
    query += [("actor_type", value) for value in filters.actor_types]
    query += [("collaboration_mode", value) for value in filters.collaboration_modes]
    return urlencode(query)
