from django import template

from initiatives.presentation import source_words as _source_words

register = template.Library()


@register.filter
def source_words(source: str) -> str:
    return _source_words(source)
