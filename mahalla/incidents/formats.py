"""The columns of the offences import file (docs/import-formats.md), in their documented order.

Plain data with no Django, so that the importer, its tests and the demo generator share one definition."""

# Boolean columns: 1/0, true/false, yes/no; empty is false.
OFFENCE_FLAGS = (
    "computer_means",
    "bank_card",
    "involves_minor",
    "involves_youth",
    "involves_woman",
    "family_relation",
    "under_alcohol",
    "under_drugs",
    "repeat_offender",
    "solved",
)

OFFENCE_COLUMNS = (
    "source_system",
    "registration_number",
    "code_kind",
    "article",
    "article_part",
    "occurred_at",
    "registered_at",
    "mahalla_code",
    "latitude",
    "longitude",
    "place_type",
    "computer_means",
    "bank_card",
    "cyber_method",
    "involves_minor",
    "involves_youth",
    "involves_woman",
    "family_relation",
    "under_alcohol",
    "under_drugs",
    "repeat_offender",
    "victim_ref",
    "offender_ref",
    "causes",
    "status",
    "solved",
)
