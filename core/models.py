"""The identity model: one person, one account across every territory of the archipel."""

import hashlib
import unicodedata

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email: str | None = None, password: str | None = None, **fields):
        email = self.normalize_email(email) if email else None
        user = self.model(email=email, **fields)
        user.set_password(password) if password else user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str, **fields):
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """Lives in the public schema. A beneficiary registered by a solidarity operator may have
    neither e-mail nor phone, so both are optional; what a territory knows of the person is in
    that territory's Membership."""

    email = models.EmailField(_("e-mail address"), unique=True, null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    first_name = models.CharField(_("first name"), max_length=80, blank=True)
    last_name = models.CharField(_("last name"), max_length=80, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("staff status"), default=False)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    # Set when the person deleted their account: the row stays (journeys keep pointing at it
    # for the authorities' figures) with nothing left that identifies them.
    deleted_at = models.DateTimeField(null=True, blank=True)
    phone_verified_at = models.DateTimeField(null=True, blank=True)  # by a code sent by SMS

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_ci"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.deleted_at:
            return str(_("deleted user"))
        return self.first_name or (self.email or "").split("@")[0] or f"#{self.pk}"

    def get_short_name(self) -> str:
        return self.display_name

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or self.display_name

    @property
    def identity_key(self) -> str | None:
        """Pseudonymous key of the national carpool registry, or None without phone and name."""
        if not (self.phone and self.last_name):
            return None
        return identity_key(self.phone, self.last_name)


def normalise_last_name(last_name: str) -> str:
    """The registry's form of a last name: upper case, without accents; hyphens, apostrophes
    and anything else but letters become single spaces (`D'Hérûg-de-l'Hérault` →
    `D HERUG DE L HERAULT`)."""
    decomposed = unicodedata.normalize("NFKD", last_name)
    letters = "".join(
        c if c.isascii() and c.isalpha() else " "
        for c in decomposed
        if not unicodedata.combining(c)
    )
    return " ".join(letters.upper().split())


def e164(phone: str, country_code: str = "33") -> str:
    """A phone number in the ITU E.164 form: `07 01 02 03 04` → `+33701020304` (a national
    number takes the given country code)."""
    digits = "".join(c for c in phone if c.isdigit() or c == "+")
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    if digits.startswith("0"):
        digits = f"+{country_code}{digits[1:]}"
    return digits


def identity_key(phone: str, last_name: str) -> str:
    """The national carpool registry's pseudonymous key, `sha256("{phone}-{LAST NAME}")` with
    the phone in E.164 form: lets anti-fraud rules work across operators without sharing
    personal data."""
    return hashlib.sha256(f"{e164(phone)}-{normalise_last_name(last_name)}".encode()).hexdigest()


class Block(models.Model):
    """One person blocks another, in every territory of the archipel (see core.blocks)."""

    blocker = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    blocked = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="block_once"),
            models.CheckConstraint(
                condition=~models.Q(blocker=models.F("blocked")), name="block_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.blocker_id} blocks {self.blocked_id}"
