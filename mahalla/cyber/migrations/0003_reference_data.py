from django.db import migrations


def load(apps, schema_editor):
    # The loader lives with the app so that the tests' REFERENCE_LOADERS and this migration run one code.
    from mahalla.cyber.reference_data import load as load_reference

    load_reference(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("cyber", "0002_reference_tables")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
