from django.contrib.postgres.operations import UnaccentExtension
from django.db import migrations


class Migration(migrations.Migration):
    """unaccent, so that commune names are found whatever the accents typed."""

    dependencies = [("territories", "0001_initial")]

    operations = [UnaccentExtension()]
