"""The columns of the cyber reports import file (CSV, XLSX, JSON Lines), shared by the importer, its tests and
the demo generator. docs/import-formats.md, section "Cyber reports"."""

REPORT_COLUMNS = (
    "external_id",
    "source_name",
    "reported_at",
    "occurred_at",
    "mahalla_code",
    "channel",
    "narrative",
    "message_text",
    "loss_amount",
    "currency",
    "victim_age_group",
)
REPORT_REQUIRED = ("external_id", "occurred_at", "mahalla_code", "channel", "narrative")
