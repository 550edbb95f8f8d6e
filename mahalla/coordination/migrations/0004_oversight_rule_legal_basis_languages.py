from django.db import migrations, models

from mahalla.coordination.reference import load


class Migration(migrations.Migration):
    """The oversight rules' legal basis in Uzbek and Russian too (it showed in English in every language),
    filled from the reference data like the rules' names."""

    dependencies = [("coordination", "0003_casework_oversight_rules")]

    operations = [
        migrations.AddField(
            model_name="oversightrule",
            name="legal_basis_uz",
            field=models.CharField(blank=True, default="", max_length=300),
        ),
        migrations.AddField(
            model_name="oversightrule",
            name="legal_basis_ru",
            field=models.CharField(blank=True, default="", max_length=300),
        ),
        migrations.RunPython(load, migrations.RunPython.noop),
    ]
