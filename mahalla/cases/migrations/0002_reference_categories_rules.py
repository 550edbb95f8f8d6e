from django.db import migrations


def load(apps, schema_editor):
    from mahalla.cases.reference import reference_load

    reference_load(apps.get_model("cases", "LegalCategory"), apps.get_model("cases", "ConclusionRule"))


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
