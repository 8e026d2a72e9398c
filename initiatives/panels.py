"""Panels that the apps above initiatives add to an initiative's pages, so that initiatives
names none of them: radar adds the support offers (RadarConfig.ready). A panel is a template,
included with `initiative` in its context (and `token` on the holder's page)."""

# The public page of a published initiative.
PUBLIC_PAGE: list[str] = []
# The holder's private page.
HOLDER_PAGE: list[str] = []


def add(page: list[str], template: str) -> None:
    if template not in page:
        page.append(template)
