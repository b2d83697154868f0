"""Search that finds what people call things: names, short names, other names and abbreviations (DCHS,
EMAS, CRH), and near misses ("Chesterfeild"), ranked by pg_trgm word similarity (the best of the
record's names), exact substrings first among equals."""

from django.contrib.postgres.search import TrigramWordSimilarity
from django.db.models import CharField, F, Func, Q, QuerySet, Value
from django.db.models.functions import Greatest

# A name matches when some part of it is at least this similar to the query (pg_trgm word_similarity,
# 0 to 1): "Chesterfeild" scores 0.62 against "Chesterfield Royal Hospital NHS Foundation Trust".
THRESHOLD = 0.5


def _joined(array_field: str):
    return Func(F(array_field), Value(" "), function="array_to_string", output_field=CharField())


def ranked(queryset: QuerySet, query: str, fields: tuple[str, ...], arrays: tuple[str, ...] = ()) -> QuerySet:
    """The records whose names (`fields`) or other names (`arrays`) contain the query or come near it,
    best first (the `rank` annotation)."""
    scores = [TrigramWordSimilarity(query, name) for name in fields]
    scores += [TrigramWordSimilarity(query, _joined(name)) for name in arrays]
    rank = Greatest(*scores) if len(scores) > 1 else scores[0]
    contains = Q()
    for name in fields:
        contains |= Q(**{f"{name}__icontains": query})
    return (
        queryset.annotate(rank=rank)
        .filter(contains | Q(rank__gte=THRESHOLD))
        .order_by("-rank", fields[0], "pk")
    )
