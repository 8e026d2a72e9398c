"""One rule for query parameters across the REST API, so that nothing is accepted by accident:

- a parameter given twice is refused, unless it is a list (`?theme=food&theme=housing`);
- an empty parameter (`?level=`) is refused: leave it out to get the default.

Both answer 400 with the parameter's name and a translated message, like any invalid value.
"""

from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _
from django_filters import MultipleChoiceFilter
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError

REPEATED = _("Give this parameter only once.")
EMPTY = _("This parameter is empty: give a value, or leave it out.")


def refuse_ambiguous_parameters(
    params, *, names: Iterable[str], repeatable: Iterable[str] = ()
) -> None:
    """Raise a 400 for the parameters among `names` given twice (unless `repeatable`) or
    empty. Unknown parameters are not looked at."""
    names, repeatable = set(names), set(repeatable)
    errors = {}
    for name in sorted(names & set(params)):
        values = params.getlist(name)
        if len(values) > 1 and name not in repeatable:
            errors[name] = [REPEATED]
        elif "" in values:
            errors[name] = [EMPTY]
    if errors:
        raise ValidationError(errors)


def list_parameters(filterset_class) -> set[str]:
    """The filters of a FilterSet that take several values (documented as arrays)."""
    return {
        name
        for name, filter_ in filterset_class.base_filters.items()
        if isinstance(filter_, MultipleChoiceFilter)
    }


class StrictFilterBackend(DjangoFilterBackend):
    """django-filter with the rule above, applied to the filters and the pagination's
    parameters (`page`, `page_size`)."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        names = set(filterset_class.base_filters) if filterset_class else set()
        paginator = getattr(view, "paginator", None)
        if paginator is not None:
            names |= {paginator.page_query_param, paginator.page_size_query_param}
        repeatable = list_parameters(filterset_class) if filterset_class else set()
        refuse_ambiguous_parameters(request.query_params, names=names, repeatable=repeatable)
        return super().filter_queryset(request, queryset, view)
