"""Full-text search of initiatives, in French, insensitive to case, accents, hyphens and
articles: PostgreSQL's French stemmer behind `unaccent`, in the text search configuration
`french_unaccent` (migration initiatives 0004), with a GIN index on the same expression.

Words are matched by prefix (typing "jard" finds "jardins") and all must match; a word may
match the initiative's name or descriptions, or the name of its commune. A word of the name
typed with a typo is still found by trigram similarity."""

import re

from django.contrib.postgres.search import SearchQuery, SearchVector, TrigramWordSimilarity
from django.db.models import Func, Q, QuerySet, Value
from django.db.models.functions import Lower

from initiatives.models import Initiative

CONFIG = "french_unaccent"
SEARCHED_FIELDS = ("name", "short_description", "description")
# Articles and the smallest words, dropped before matching: as prefixes they would match
# almost everything ("la" → "laverie", "de" → "départ").
SKIPPED_WORDS = frozenset(
    [
        "a",
        "à",
        "au",
        "aux",
        "d",
        "de",
        "des",
        "du",
        "en",
        "et",
        "l",
        "la",
        "le",
        "les",
        "un",
        "une",
        "sur",
        "pour",
        "par",
    ]
)
MAX_WORDS = 12
TYPO_SIMILARITY = 0.6
# Shorter words are matched as prefixes only: their trigrams match too much.
TYPO_MIN_LENGTH = 5


def search_vector() -> SearchVector:
    """The indexed expression (Initiative.Meta.indexes uses the very same one)."""
    return SearchVector(*SEARCHED_FIELDS, config=CONFIG)


def search_words(text: str) -> list[str]:
    """The words worth searching: split on anything but letters and digits (hyphens,
    apostrophes, punctuation), lower-cased, without articles; at most MAX_WORDS."""
    words = [word for word in re.split(r"[\W_]+", text.lower()) if word]
    return [word for word in words if word not in SKIPPED_WORDS][:MAX_WORDS]


def _prefix_query(word: str) -> SearchQuery:
    # Only letters and digits reach to_tsquery: no operator of the user's can break it.
    return SearchQuery(f"{word}:*", config=CONFIG, search_type="raw")


def _unaccent(expression) -> Func:
    return Func(expression, function="unaccent")


def initiatives_searched(*, initiatives: QuerySet[Initiative], text: str) -> QuerySet[Initiative]:
    """Those matching every word of `text` (see the module's docstring). Text with no word
    worth searching filters nothing."""
    words = search_words(text)
    if not words:
        return initiatives
    initiatives = initiatives.annotate(
        search=search_vector(),
        commune_search=SearchVector("territory__name", config=CONFIG),
    )
    for number, word in enumerate(words):
        matches = Q(search=_prefix_query(word)) | Q(commune_search=_prefix_query(word))
        if len(word) >= TYPO_MIN_LENGTH:
            similarity = f"word_similarity_{number}"
            initiatives = initiatives.annotate(
                **{
                    similarity: TrigramWordSimilarity(
                        _unaccent(Value(word)), _unaccent(Lower("name"))
                    )
                }
            )
            matches |= Q(**{f"{similarity}__gte": TYPO_SIMILARITY})
        initiatives = initiatives.filter(matches)
    return initiatives
