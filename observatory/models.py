"""What the authority's people did with the territory's data: every dashboard view, download
and API call, in the territory's schema."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AccessLog(models.Model):
    class Action(models.TextChoices):
        VIEW = "view", _("dashboard viewed")
        DOWNLOAD = "download", _("file downloaded")
        API = "api", _("API call")

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    action = models.CharField(max_length=10, choices=Action.choices)
    what = models.CharField(max_length=80)  # dataset or page
    period_start = models.DateField()
    period_end = models.DateField()  # inclusive
    detail = models.CharField(max_length=200, blank=True)  # format, level…

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.what}"
