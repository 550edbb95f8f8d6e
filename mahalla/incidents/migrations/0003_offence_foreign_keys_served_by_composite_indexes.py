"""The offence's category, mahalla, district and region keys lose their own indexes: the (key, occurred_at)
index that each of them leads serves every look-up by the key alone, and every index costs the bulk load of a
million offences its build (issue 16, item 3)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0002_reference_categories_articles_causes"),
        ("territory", "0003_mapdemo_boundary_simplified"),
    ]

    operations = [
        migrations.AlterField(
            model_name="offence",
            name="category",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="offences",
                to="incidents.offencecategory",
            ),
        ),
        migrations.AlterField(
            model_name="offence",
            name="district",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="offences",
                to="territory.district",
            ),
        ),
        migrations.AlterField(
            model_name="offence",
            name="mahalla",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="offences",
                to="territory.mahalla",
            ),
        ),
        migrations.AlterField(
            model_name="offence",
            name="region",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="offences",
                to="territory.region",
            ),
        ),
    ]
