from rest_framework import serializers
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from initiatives.models import Initiative

# Public fields only: contact_email and every private token stay out, always.
PUBLIC_FIELDS = [
    "id",
    "name",
    "short_description",
    "description",
    "website",
    "address",
    "themes",
    "start_date",
    "start_date_precision",
    "activity_status",
    "actor_types",
    "collaboration_mode",
    "economic_model",
    "resources",
    "governance",
    "animation",
    "reciprocity",
    "step_free_access",
    "usable_without_internet",
    "languages",
    "needs",
    "territory",
    "source",
    "source_id",
    "is_synthetic",
    "needs_confirmation",
    "last_confirmed_at",
    "created_at",
    "updated_at",
]


class InitiativeSerializer(GeoFeatureModelSerializer):
    territory = serializers.SlugRelatedField(slug_field="code", read_only=True)
    needs_confirmation = serializers.BooleanField(read_only=True)

    class Meta:
        model = Initiative
        geo_field = "location"
        fields = PUBLIC_FIELDS
