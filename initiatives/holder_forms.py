from django import forms
from django.utils.translation import gettext_lazy as _


class LinkRecoveryForm(forms.Form):
    email = forms.EmailField(
        label=_("The e-mail address you gave with the initiative"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": _("Enter your e-mail address."),
            "invalid": _("Enter an e-mail address such as name@example.org."),
        },
    )
