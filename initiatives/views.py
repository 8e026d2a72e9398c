from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from initiatives import choices
from initiatives.forms import MapFilterForm
from initiatives.selectors import initiatives_matching, published_initiatives

LIST_PAGE_SIZE = 50


def choice_labels() -> dict[str, dict[str, str]]:
    """Labels of every code list, in the request's language, for the map's popups."""
    lists = {
        "themes": choices.Theme,
        "actor_types": choices.ActorType,
        "collaboration_mode": choices.CollaborationMode,
        "economic_model": choices.EconomicModel,
        "activity_status": choices.ActivityStatus,
    }
    return {name: {v: str(label) for v, label in c.choices} for name, c in lists.items()}


def home(request):
    form = MapFilterForm(request.GET)
    initiatives = initiatives_matching(filters=form.filters()).only(
        "id", "name", "short_description", "themes", "is_synthetic", "territory__name"
    )
    page = Paginator(initiatives, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "initiatives/home.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "labels": choice_labels(),
        },
    )


def initiative_detail(request, pk: int):
    initiative = get_object_or_404(published_initiatives(), pk=pk)
    return render(request, "initiatives/detail.html", {"initiative": initiative})
