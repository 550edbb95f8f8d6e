from django.db import migrations


def load(apps, schema_editor):
    from mahalla.territory.reference_data import reference_districts, reference_regions

    Region = apps.get_model("territory", "Region")
    District = apps.get_model("territory", "District")
    regions = {}
    for row in reference_regions():
        region, _ = Region.objects.update_or_create(
            code=row["code"],
            defaults={key: row[key] for key in ("kind", "name_uz", "name_uz_cyrl", "name_ru")},
        )
        regions[row["code"]] = region
    for row in reference_districts():
        District.objects.update_or_create(
            code=row["code"],
            defaults={
                "region": regions[row["region_code"]],
                **{key: row[key] for key in ("kind", "name_uz", "name_uz_cyrl", "name_ru")},
            },
        )


class Migration(migrations.Migration):
    dependencies = [("territory", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
