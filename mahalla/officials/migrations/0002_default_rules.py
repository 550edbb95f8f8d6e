from django.db import migrations


def load(apps, schema_editor):
    from mahalla.officials.rules import rules_load

    rules_load(apps.get_model("officials", "AssignmentRuleConfig"))


class Migration(migrations.Migration):
    dependencies = [("officials", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
