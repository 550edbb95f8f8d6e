from django.db import migrations


def load(apps, schema_editor):
    from mahalla.incidents.reference_data import (
        reference_article_rules,
        reference_categories,
        reference_causes,
    )

    OffenceCategory = apps.get_model("incidents", "OffenceCategory")
    ArticleCategoryRule = apps.get_model("incidents", "ArticleCategoryRule")
    CauseCode = apps.get_model("incidents", "CauseCode")
    categories = {}
    for row in reference_categories():
        code = row.pop("code")
        categories[code], _ = OffenceCategory.objects.update_or_create(code=code, defaults=row)
    for row in reference_article_rules():
        ArticleCategoryRule.objects.update_or_create(
            code_kind=row["code_kind"],
            article=row["article"],
            condition=row["condition"],
            valid_from=row["valid_from"],
            defaults={
                "category": categories[row["category"]],
                "valid_to": row["valid_to"],
                "verified": row["verified"],
                "title_en": row["title_en"],
            },
        )
    causes = {}
    for row in reference_causes():
        causes[row["code"]], _ = CauseCode.objects.update_or_create(
            code=row["code"],
            defaults={
                "parent": causes.get(row["parent"]) if row["parent"] else None,
                "name_en": row["name_en"],
                "name_uz": row["name_uz"],
                "name_ru": row["name_ru"],
            },
        )


class Migration(migrations.Migration):
    dependencies = [("incidents", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
