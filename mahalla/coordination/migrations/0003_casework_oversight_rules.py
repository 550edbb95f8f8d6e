from django.db import migrations

from mahalla.coordination.reference import load


class Migration(migrations.Migration):
    """The oversight rules of the casework registers, added to databases that ran 0002 before them."""

    dependencies = [("coordination", "0002_reference_data")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
