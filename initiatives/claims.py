"""Claims: the holder of an imported initiative asks for its private link.

Nothing of a claim is public. The request counts towards the contribution form's rate limit;
a moderator approves it in the moderation queue; the private link then goes to the
claimant's address by e-mail, from a task (initiatives.tasks.send_claim_link)."""

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from initiatives import emails
from initiatives.models import Claim, ClaimStatus, Initiative
from initiatives.services import submission_rate_check


def claimable(initiative: Initiative) -> bool:
    return initiative.is_published and not initiative.has_holder


def pending_claims() -> QuerySet[Claim]:
    return (
        Claim.objects.filter(status=ClaimStatus.PENDING)
        .select_related("initiative")
        .order_by("created_at", "id")
    )


def claim_submit(*, initiative: Initiative, data: dict, claimant_ip: str) -> Claim:
    """A pending claim. Counts towards the per-address rate limit (SubmissionRateLimited)."""
    submission_rate_check(ip=claimant_ip)
    claim = Claim(initiative=initiative, **data)
    claim.full_clean()
    claim.save()
    return claim


def _decide(claim: Claim, status: str, moderator) -> None:
    claim.status, claim.decided_at, claim.decided_by = status, timezone.now(), moderator


@transaction.atomic
def claim_approve(*, claim: Claim, moderator) -> None:
    """The claimant becomes the holder: their address is the initiative's contact, and the
    task sends them a new private link. Other pending claims on it are closed."""
    initiative = claim.initiative
    initiative.contact_email = claim.email
    initiative.last_confirmed_at = timezone.now()
    initiative.save(update_fields=["contact_email", "last_confirmed_at", "updated_at"])
    _decide(claim, ClaimStatus.APPROVED, moderator)
    claim.save()
    initiative.claims.filter(status=ClaimStatus.PENDING).update(
        status=ClaimStatus.REJECTED, decided_at=timezone.now(), email=""
    )
    from initiatives.tasks import send_claim_link

    initiative_id = initiative.pk
    transaction.on_commit(lambda: send_claim_link.enqueue(initiative_id=initiative_id))


@transaction.atomic
def claim_reject(*, claim: Claim, moderator, reason: str) -> None:
    """Refused; the reason goes to the claimant, whose address is then erased."""
    email, name = claim.email, claim.initiative.name
    _decide(claim, ClaimStatus.REJECTED, moderator)
    claim.email = ""
    claim.save()
    emails.send_claim_rejection(to=email, name=name, reason=reason)
