from django.db import migrations

MODERATORS = "moderators"


def create_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.get_or_create(name=MODERATORS)


def delete_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=MODERATORS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("initiatives", "0002_contributions"),
    ]

    operations = [migrations.RunPython(create_group, delete_group)]
