"""The "Delegations" sheet of a partnership's workbook (issue 17), added to bodies.workbook from ready()."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.text import slugify

from bodies.workbook import choice_cell, date_cell, flag_cell, register_sheet, text_cell
from delegation.models import Delegation, Matter, Power

COLUMNS = [
    ("Matter", "matter", True, "What may be decided: a matter of the partnership (added if new)."),
    ("Category", "category", False, "For a new matter: " + "; ".join(Matter.Category.labels) + "."),
    ("Delegated by", "delegator", False, "A body; empty for the partners' statutory boards together."),
    ("Delegated to", "delegate", True, "A body of this workbook or already in the partnership."),
    ("Office", "delegate_office", False, "; ".join(label for value, label in Delegation.Office.choices if value) + " (empty: the body itself)."),
    ("Power", "power", True, "; ".join(Power.labels) + "."),
    ("Financial limit", "financial_limit_gbp", False, "In pounds, a number."),
    ("Conditions", "conditions", False, ""),
    ("Further delegation", "further_delegation_permitted", False, "Yes or no (default no)."),
    ("From", "effective_from", False, "Date."),
]  # fmt: skip


def _matter(importer, record) -> tuple[Matter, bool]:
    name = text_cell(record["matter"])
    matter = Matter.objects.filter(partnership=importer.partnership, name__iexact=name).first()
    if matter is not None:
        return matter, False
    category = choice_cell(record.get("category"), Matter.Category.choices, "category")
    if category is None:
        raise ValidationError({"category": f"“{name}” is a new matter: give its category."})
    base = slugify(name)[:100] or "matter"
    slug, number = base, 2
    while Matter.objects.filter(partnership=importer.partnership, slug=slug).exists():
        slug, number = f"{base}-{number}", number + 1
    return importer.save(
        Matter(partnership=importer.partnership, slug=slug, name=name, category=category)
    ), True


def delegation_row(importer, record):
    matter, new = _matter(importer, record)
    limit = _pounds(record.get("financial_limit_gbp"))
    key = {
        "partnership": importer.partnership, "matter": matter,
        "delegator": importer.body(record["delegator"], "delegator") if record.get("delegator") else None,
        "delegate": importer.body(record["delegate"], "delegate"),
        "delegate_office": choice_cell(record.get("delegate_office"), Delegation.Office.choices, "delegate_office", ""),
        "power": choice_cell(record.get("power"), Power.choices, "power"),
    }  # fmt: skip
    start = date_cell(record.get("effective_from"), "effective_from")
    further = flag_cell(record.get("further_delegation_permitted"), "further_delegation_permitted")
    same = Delegation.objects.filter(**key)
    existing = (start and same.filter(effective_from=start).first()) or same.filter(
        effective_to__isnull=True
    ).first()
    if existing is not None:
        text = f"{existing.delegate.name} may {existing.get_power_display().lower()}: {matter.name}"
        return importer.changed(
            existing, text, financial_limit_gbp=limit, conditions=text_cell(record.get("conditions")),
            further_delegation_permitted=further, effective_from=start,
        )  # fmt: skip
    delegation = importer.save(Delegation(
        **key, financial_limit_gbp=limit, conditions=text_cell(record.get("conditions")),
        further_delegation_permitted=bool(further), effective_from=start, **importer.sourced(),
    ))  # fmt: skip
    what = " (new matter)" if new else ""
    return (
        "add",
        f"{delegation.delegate.name} may {delegation.get_power_display().lower()}: {matter.name}{what}",
    )


def _pounds(value) -> Decimal | None:
    text = text_cell(value).replace("£", "").replace(",", "")
    if not text:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        raise ValidationError(
            {"financial_limit_gbp": f"“{text_cell(value)}” is not an amount in pounds."}
        ) from None


def register() -> None:
    register_sheet("Delegations", COLUMNS, delegation_row)
