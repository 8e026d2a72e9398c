from django.urls import path

from initiatives.api.submissions import SubmissionCreateApi

urlpatterns = [
    path("submissions/", SubmissionCreateApi.as_view(), name="submission-create"),
]
