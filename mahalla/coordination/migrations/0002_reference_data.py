from django.db import migrations

from mahalla.coordination.reference import load


class Migration(migrations.Migration):
    dependencies = [("coordination", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
