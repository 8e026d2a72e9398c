from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from common.counting import BoundedCountPaginator
from initiatives import choices, log_filters, panels
from initiatives.claims import claim_approve, claim_reject, pending_claims
from initiatives.clients import client_address
from initiatives.emails import private_link_url
from initiatives.forms import (
    OPTIONAL_FIELDS,
    ContributionForm,
    MapFilterForm,
    RejectionForm,
    error_summary,
)
from initiatives.holder_views import erase_confirmation
from initiatives.holders import HOLDER_SESSION_KEY, held_initiative
from initiatives.models import Initiative, Revision, RevisionStatus
from initiatives.permissions import MODERATORS_GROUP, is_moderator  # noqa: F401 (re-exported)
from initiatives.presentation import field_label, field_rows, optional_facts, shown_value
from initiatives.selectors import (
    commune_choices,
    initiative_holding_token,
    initiatives_matching,
    pending_revisions,
    pending_submissions,
    possible_duplicates,
    published_initiatives,
    undelivered_emails,
)
from initiatives.services import (
    SubmissionRateLimited,
    email_send_again,
    initiative_approve,
    initiative_confirm,
    initiative_edit,
    initiative_merge,
    initiative_reject,
    initiative_submit,
    initiative_withdraw,
    revision_approve,
    revision_reject,
    revision_values_from_json,
    token_hash,
)

LIST_PAGE_SIZE = 50


def home(request):
    form = MapFilterForm(request.GET)
    initiatives = initiatives_matching(filters=form.filters()).only(
        "id",
        "name",
        "short_description",
        "themes",
        "is_synthetic",
        "territory__name",
        # needs_confirmation, shown on each row
        "last_confirmed_at",
        "created_at",
    )
    page = BoundedCountPaginator(initiatives, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    back_query = query.urlencode()  # the detail pages lead back to this very list
    query.pop("page", None)
    return render(
        request,
        "initiatives/home.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "back_query": back_query,
            "labels": choices.choice_labels(),
        },
    )


# The public map's own parameters: only these travel back to it from a detail page.
MAP_PARAMETERS = ("q", "territory", "theme", "actor_type", "collaboration_mode", "page")


def _back_to_map_query(query) -> str:
    """The map's filters from the detail page's own query string (the list links carry
    them), so that "back to the map" returns to the same search."""
    return urlencode([(key, value) for key in MAP_PARAMETERS for value in query.getlist(key)])


def initiative_detail(request, pk: int):
    # Moderators also open pending (and archived) items: the queue links to them.
    shown = Initiative.objects.all() if is_moderator(request.user) else published_initiatives()
    initiative = get_object_or_404(shown, pk=pk)
    context = {
        "initiative": initiative,
        "panels": panels.PUBLIC_PAGE,
        "optional_facts": optional_facts(initiative),
        "back_query": _back_to_map_query(request.GET),
    }
    return render(request, "initiatives/detail.html", context)


# Contributions: the form, the holder's private link, the moderation queue.

# Request paths are logged; the private link's path carries a token (see log_filters).
log_filters.install()


def _refused(request, message, status):
    return render(request, "initiatives/refused.html", {"message": message}, status=status)


def _too_many(request):
    response = _refused(
        request,
        _("Too many initiatives were sent from your connection. Please try again later."),
        429,
    )
    response["Retry-After"] = "3600"
    return response


def contribute(request):
    if request.method != "POST":
        return _contribute_page(request, ContributionForm())
    form = ContributionForm(request.POST)
    if form.is_spam:
        return _refused(request, _("Your submission could not be accepted."), 400)
    if form.is_valid():
        try:
            result = initiative_submit(
                data=form.service_data(), submitter_ip=client_address(request)
            )
        except SubmissionRateLimited:
            return _too_many(request)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            return _thanks(request, result)
    return _contribute_page(request, form, status=400)


def _contribute_page(request, form, status=200, template="initiatives/contribute.html", **extra):
    context = {
        "form": form,
        "communes": commune_choices(),
        "optional_fields": [form[name] for name in OPTIONAL_FIELDS],
        "errors": error_summary(form) if form.is_bound else [],
        **extra,
    }
    return render(request, template, context, status=status)


def _thanks(request, result):
    response = render(
        request,
        "initiatives/contribute_thanks.html",
        {"initiative": result.initiative, "private_link": private_link_url(result.token)},
    )
    response["Cache-Control"] = "no-store"  # the private link is shown once, never cached
    return response


def private_link(request, token: str):
    """Trade the link's token for a session, then continue on a URL without the token."""
    initiative = initiative_holding_token(token_hash=token_hash(token))
    if initiative is None:
        request.session.pop(HOLDER_SESSION_KEY, None)
    else:
        request.session[HOLDER_SESSION_KEY] = {
            "id": initiative.pk,
            "hash": initiative.private_token_hash,
        }
    return redirect("initiatives:my-initiative")


@require_http_methods(["GET", "POST"])
def my_initiative(request):
    initiative = held_initiative(request)
    if initiative is None:
        request.session.pop(HOLDER_SESSION_KEY, None)
        return render(request, "initiatives/link_invalid.html", status=403)
    action = request.POST.get("action")
    if action == "confirm":
        initiative_confirm(initiative=initiative)
        messages.success(request, _("Thank you: the initiative is confirmed as active."))
        return redirect("initiatives:my-initiative")
    if action == "withdraw":  # asks first: erasing cannot be undone
        return erase_confirmation(request, initiative)
    if action == "erase":
        initiative_withdraw(initiative=initiative)
        request.session.pop(HOLDER_SESSION_KEY, None)
        messages.success(request, _("The initiative and your data have been erased."))
        return redirect("initiatives:home")
    if action == "edit":
        return _edit(request, initiative)
    form = ContributionForm(instance=Initiative.objects.get(pk=initiative.pk))
    return _my_page(request, initiative, form)


def _my_page(request, initiative, form, status=200):
    pending = initiative.revisions.filter(status=RevisionStatus.PENDING).exists()
    return _contribute_page(
        request,
        form,
        status=status,
        template="initiatives/my_initiative.html",
        initiative=initiative,
        pending_revision=pending,
        panels=panels.HOLDER_PAGE,
    )


def _edit(request, initiative):
    form = ContributionForm(request.POST, instance=Initiative.objects.get(pk=initiative.pk))
    if form.is_valid():
        try:
            outcome = initiative_edit(initiative=initiative, data=form.service_data())
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _edit_message(outcome))
            return redirect("initiatives:my-initiative")
    return _my_page(request, initiative, form, status=400)


def _edit_message(outcome) -> str:
    if isinstance(outcome, Revision):
        return _("Thank you: your changes will be shown once a moderator has checked them.")
    return _("Thank you: the initiative is updated.")


@login_required(login_url="initiatives:login")
@require_http_methods(["GET", "POST"])
def moderation(request):
    if not is_moderator(request.user):
        raise PermissionDenied(_("This page is for the radar's moderators."))
    if request.method == "POST":
        _moderate(request)
        return redirect("initiatives:moderation")
    submissions = [
        (
            submission,
            list(possible_duplicates(initiative=submission)[:5]),
            field_rows(submission),
            shown_value("location", submission.location),
        )
        for submission in pending_submissions()
    ]
    revisions = [(revision, _revision_changes(revision)) for revision in pending_revisions()]
    undelivered = list(undelivered_emails()[:100])
    return render(
        request,
        "initiatives/moderation.html",
        {
            "submissions": submissions,
            "revisions": revisions,
            "claims": pending_claims(),
            "rejection": RejectionForm(),
            "undelivered": undelivered,
            "undelivered_to": {email.initiative_id for email in undelivered},
        },
    )


def _revision_changes(revision) -> list[tuple[str, str, str]]:
    """(label, now, proposed), each value in words: labels of codes, yes/no, dates."""
    initiative = revision.initiative
    values = revision_values_from_json(revision.values)
    precision = values.get("start_date_precision", initiative.start_date_precision)
    return [
        (
            field_label(name),
            shown_value(name, getattr(initiative, name), precision=initiative.start_date_precision),
            shown_value(name, value, precision=precision),
        )
        for name, value in values.items()
    ]


def _moderate(request) -> None:
    if "send_again" in request.POST:
        _send_again(request, request.POST["send_again"])
        return
    if "merge" in request.POST:
        submission_id, _sep, target_id = request.POST["merge"].partition(":")
        _merge(request, submission_id, target_id)
        return
    action = request.POST.get("action")
    reason = request.POST.get("reason", "").strip()
    if action == "reject" and not reason:
        messages.error(request, _("Give a reason to reject: it is sent to the submitter."))
        return
    submissions = pending_submissions().filter(pk__in=_ids(request, "submission"))
    revisions = pending_revisions().filter(pk__in=_ids(request, "revision"))
    # (name, approve, reject): the services bound to each pending item.
    pending = (
        [
            (
                item.name,
                partial(initiative_approve, initiative=item),
                partial(initiative_reject, initiative=item, reason=reason),
            )
            for item in submissions
        ]
        + [
            (
                item.initiative.name,
                partial(revision_approve, revision=item),
                partial(revision_reject, revision=item, reason=reason),
            )
            for item in revisions
        ]
        + [
            (
                item.initiative.name,
                partial(claim_approve, claim=item),
                partial(claim_reject, claim=item, reason=reason),
            )
            for item in pending_claims().filter(pk__in=_ids(request, "claim"))
        ]
    )
    done = sum(
        _decide(request, action, approve=approve, reject=reject, name=name)
        for name, approve, reject in pending
    )
    messages.success(
        request,
        ngettext("%(count)d item moderated.", "%(count)d items moderated.", done) % {"count": done},
    )


def _ids(request, name) -> list[int]:
    return [int(value) for value in request.POST.getlist(name) if value.isdigit()]


def _decide(request, action, *, approve, reject, name) -> int:
    """One decision on a pending submission or revision: `approve` and `reject` are the
    services bound to the item. 1 when done; an error message naming the item otherwise."""
    try:
        if action == "approve":
            approve(moderator=request.user)
        elif action == "reject":
            reject(moderator=request.user)
        else:
            return 0
    except ValidationError as error:
        messages.error(request, f"{name}: {' '.join(error.messages)}")
        return 0
    return 1


def _merge(request, submission_id, target_id) -> None:
    if not (submission_id.isdigit() and target_id.isdigit()):
        messages.error(request, _("This merge is no longer possible."))
        return
    submission = pending_submissions().filter(pk=submission_id).first()
    target = Initiative.objects.filter(pk=target_id).exclude(pk=submission_id).first()
    if submission is None or target is None:
        messages.error(request, _("This merge is no longer possible."))
        return
    try:
        initiative_merge(submission=submission, target=target, moderator=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return
    messages.success(
        request,
        _("“%(submission)s” was merged into “%(target)s”.")
        % {"submission": submission.name, "target": target.name},
    )


def _send_again(request, email_id: str) -> None:
    email = undelivered_emails().filter(pk=email_id).first() if email_id.isdigit() else None
    if email is None or not email_send_again(email=email):
        messages.error(request, _("This e-mail is no longer waiting to be sent again."))
        return
    messages.success(request, _("The e-mail will be sent again."))
