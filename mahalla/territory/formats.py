"""The columns of the territories import file (docs/import-formats.md), in their documented order.

Plain data with no Django, so that the importer, its tests and the demo generator share one definition."""

TERRITORY_COLUMNS = (
    "level",
    "code",
    "parent_code",
    "kind",
    "name_uz",
    "name_uz_cyrl",
    "name_ru",
    "population",
    "households",
    "boundary",
    "centroid_lat",
    "centroid_lon",
    "post_number",
    "post_address",
    "inspector_name",
    "inspector_phone",
)
