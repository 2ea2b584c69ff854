from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Visibility(models.TextChoices):
    VISIBLE = "visible", _("Visible")
    HIDDEN = "hidden", _("Hidden by a moderator")
    SPAM = "spam", _("Spam")


class Topic(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True, allow_unicode=True)
    description = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Question(models.Model):
    """A customer's question to the community."""

    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="questions")
    author = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="community_questions")
    title = models.CharField(max_length=200)
    body = models.TextField()
    html = models.TextField()
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.VISIBLE, db_index=True)
    locked = models.BooleanField(default=False)
    accepted_answer = models.OneToOneField("Answer", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class Answer(models.Model):
    """An answer by a customer (author) or by an agent (agent: shown with the staff badge)."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    author = models.ForeignKey("contacts.Contact", null=True, blank=True, on_delete=models.CASCADE, related_name="community_answers")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField()
    html = models.TextField()
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.VISIBLE, db_index=True)
    score = models.IntegerField(default=0)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-score", "created_at"]


class Vote(models.Model):
    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="votes")
    voter = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="+")
    value = models.SmallIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["answer", "voter"], name="community_one_vote_per_answer")]
